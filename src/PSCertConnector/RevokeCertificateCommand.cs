using System;
using System.Management.Automation;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsSecurity.Revoke, "Certificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(CertificateRecord), typeof(RevocationRequest))]
    public sealed class RevokeCertificateCommand : CertificateCmdlet
    {
        /// <summary>Also by property name, so that Import-Csv rows with SerialNumber and Reason columns pipe in.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)] public RevocationReason Reason { get; set; }
        [Parameter] public DateTime? EffectiveDate { get; set; }
        /// <summary>Queue the revocation for the maintenance pass (which retries a CA that is down) instead of revoking now.</summary>
        [Parameter] public SwitchParameter Queue { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var effective = EffectiveDate.HasValue ? new DateTimeOffset(EffectiveDate.Value.ToUniversalTime(), TimeSpan.Zero) : (DateTimeOffset?)null;
            if (Queue) new RevocationQueueOperations(Workspace, Sink).Queue(new[] { new RevocationInput(Selector(), Reason, effective) });
            else new InventoryOperations(Workspace, Sink).Revoke(new[] { Selector() }, Reason, effective);
        });
    }
}
