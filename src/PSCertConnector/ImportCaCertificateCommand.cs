using PSCertConnector.Core.Connectors;
using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsData.Import, "CaCertificate", SupportsShouldProcess = true, DefaultParameterSetName = NamedSet)]
    [OutputType(typeof(ImportRunRecord), typeof(ImportPreview))]
    public sealed class ImportCaCertificateCommand : PscCmdlet
    {
        private const string NamedSet = "Connector";
        private const string DueSet = "Due";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NamedSet)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string[] Connector { get; set; } = new string[0];
        [Parameter] public SwitchParameter Full { get; set; }
        [Parameter] public string? BusinessUnit { get; set; }
        [Parameter] public string[] Tag { get; set; } = new string[0];
        [Parameter] [ValidateRange(1, 100000)] public int BatchSize { get; set; } = 500;
        [Parameter(Mandatory = true, ParameterSetName = DueSet)] public SwitchParameter Due { get; set; }
        [Parameter(ParameterSetName = DueSet)] [ValidateRange(1, 86400)] public int LeaseSeconds { get; set; } = 600;
        [Parameter] [ValidateNotNullOrEmpty] [ArgumentCompleter(typeof(TemplateNameCompleter))] public string[] Template { get; set; } = new string[0];
        [Parameter] public ImportStatus[] Status { get; set; } = new ImportStatus[0];
        [Parameter] public System.DateTime? IssuedAfter { get; set; }
        [Parameter] [ValidateNotNullOrEmpty] public string[] Subject { get; set; } = new string[0];
        [Parameter] [ValidateNotNullOrEmpty] public string[] San { get; set; } = new string[0];
        [Parameter] [ValidateNotNullOrEmpty] public string[] Requester { get; set; } = new string[0];

        protected override void ProcessRecord() => Run(() =>
        {
            var options = new ImportOptions
            {
                Mode = Full ? ImportMode.Full : ImportMode.Incremental, BusinessUnit = BusinessUnit, Tags = Tag, BatchSize = BatchSize,
                Selection = new ImportSelection
                {
                    Templates = Template, Statuses = Status, Subjects = Subject, Sans = San, Requesters = Requester,
                    IssuedAfter = IssuedAfter is { } after ? new System.DateTimeOffset(System.DateTime.SpecifyKind(after, after.Kind == System.DateTimeKind.Unspecified ? System.DateTimeKind.Utc : after.Kind)) : null,
                },
            };
            if (Due) new ImportOperation(Workspace, Sink).ImportDue(options, System.TimeSpan.FromSeconds(LeaseSeconds));
            else new ImportOperation(Workspace, Sink).Import(Connector, options);
        });
    }
}
