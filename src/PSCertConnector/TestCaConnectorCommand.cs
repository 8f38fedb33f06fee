using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsDiagnostic.Test, "CaConnector")]
    [OutputType(typeof(ConnectorTestReport))]
    public sealed class TestCaConnectorCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string[] Name { get; set; } = new string[0];

        protected override void ProcessRecord() => Run(() => new ConnectorOperations(Workspace, Sink).Test(Name));
    }
}
