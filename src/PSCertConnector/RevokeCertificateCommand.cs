using System;
using System.Management.Automation;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsSecurity.Revoke, "Certificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(CertificateRecord))]
    public sealed class RevokeCertificateCommand : CertificateCmdlet
    {
        [Parameter(Mandatory = true)] public RevocationReason Reason { get; set; }
        [Parameter] public DateTime? EffectiveDate { get; set; }

        protected override void ProcessRecord() => Run(() =>
            new InventoryOperations(Workspace, Sink).Revoke(new[] { Selector() }, Reason,
                EffectiveDate.HasValue ? new DateTimeOffset(EffectiveDate.Value.ToUniversalTime(), TimeSpan.Zero) : (DateTimeOffset?)null));
    }
}
