using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    /// <summary>The revocation queue: what was queued with Revoke-Certificate -Queue and what became of it.</summary>
    [Cmdlet(VerbsCommon.Get, "CaRevocationRequest")]
    [OutputType(typeof(RevocationRequest))]
    public sealed class GetCaRevocationRequestCommand : PscCmdlet
    {
        [Parameter(Position = 0)] public RevocationRequestStatus? Status { get; set; }

        protected override bool ReadsOnly => true;

        protected override void ProcessRecord() => Run(() => new RevocationQueueOperations(Workspace, Sink).List(Status));
    }
}
