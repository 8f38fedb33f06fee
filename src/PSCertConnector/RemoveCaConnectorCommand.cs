using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Remove, "CaConnector", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveCaConnectorCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string[] Name { get; set; } = new string[0];

        protected override void ProcessRecord() => Run(() => new ConnectorOperations(Workspace, Sink).Remove(Name));
    }
}
