using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsData.Update, "CaStoreKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(StoreStatus))]
    public sealed class UpdateCaStoreKeyCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        public string NewKeyFile { get; set; } = "";

        protected override void ProcessRecord() => Run(() => new StoreOperations(Workspace, Sink).RotateKey(NewKeyFile));
    }
}
