using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Get, "CaConnector")]
    [OutputType(typeof(ConnectorDefinition))]
    public sealed class GetCaConnectorCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string? Name { get; set; }

        protected override void ProcessRecord() => Run(() => new ConnectorOperations(Workspace, Sink).List(Name));
    }
}
