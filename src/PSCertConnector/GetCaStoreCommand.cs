using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Get, "CaStore")]
    [OutputType(typeof(StoreStatus))]
    public sealed class GetCaStoreCommand : PscCmdlet
    {
        protected override bool AnySchemaVersion => true;

        protected override void ProcessRecord() => Run(() => new StoreOperations(Workspace, Sink).Status());
    }
}
