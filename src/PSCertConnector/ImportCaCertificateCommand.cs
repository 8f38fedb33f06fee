using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsData.Import, "CaCertificate", SupportsShouldProcess = true)]
    [OutputType(typeof(ImportRunRecord))]
    public sealed class ImportCaCertificateCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string[] Connector { get; set; } = new string[0];
        [Parameter] public SwitchParameter Full { get; set; }
        [Parameter] public string? BusinessUnit { get; set; }
        [Parameter] public string[] Tag { get; set; } = new string[0];
        [Parameter] [ValidateRange(1, 100000)] public int BatchSize { get; set; } = 500;

        protected override void ProcessRecord() => Run(() =>
            new ImportOperation(Workspace, Sink).Import(Connector, new ImportOptions
            {
                Mode = Full ? ImportMode.Full : ImportMode.Incremental, BusinessUnit = BusinessUnit, Tags = Tag, BatchSize = BatchSize,
            }));
    }
}
