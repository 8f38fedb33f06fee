using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsData.Update, "CaStoreSchema", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(StoreStatus))]
    public sealed class UpdateCaStoreSchemaCommand : PscCmdlet
    {
        protected override bool AnySchemaVersion => true;

        protected override void ProcessRecord() => Run(() => new StoreOperations(Workspace, Sink).Migrate());
    }
}
