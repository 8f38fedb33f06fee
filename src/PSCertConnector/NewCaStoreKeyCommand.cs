using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.New, "CaStoreKey", SupportsShouldProcess = true)]
    [OutputType(typeof(System.IO.FileInfo))]
    public sealed class NewCaStoreKeyCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        public string Path { get; set; } = "";

        protected override void ProcessRecord() => Run(() => new StoreOperations(Workspace, Sink).NewKey(Path));
    }
}
