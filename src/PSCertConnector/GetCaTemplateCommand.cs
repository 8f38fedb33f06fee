using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Get, "CaTemplate")]
    [OutputType(typeof(TemplateRecord))]
    public sealed class GetCaTemplateCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string Connector { get; set; } = "";

        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string? Template { get; set; }

        [Parameter] public SwitchParameter Refresh { get; set; }

        protected override void ProcessRecord() => Run(() => new TemplateOperations(Workspace, Sink).Get(Connector, Refresh, Template));
    }
}
