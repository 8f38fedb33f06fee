using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Get, "CaCertificate")]
    [OutputType(typeof(CertificateRecord))]
    public sealed class GetCaCertificateCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0)] [SupportsWildcards] public string? Name { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }
        [Parameter] public CertificateStatus? Status { get; set; }
        [Parameter] [ValidateRange(0, 36500)] public int? ExpiringWithin { get; set; }
        [Parameter] public string? Tag { get; set; }
        [Parameter] public string? BusinessUnit { get; set; }
        [Parameter] public string? Template { get; set; }
        [Parameter] public string? SerialNumber { get; set; }
        [Parameter] public string? Thumbprint { get; set; }
        /// <summary>Only certificates due for renewal under their connector's and template's policy, not renewed yet.</summary>
        [Parameter] public SwitchParameter NeedsRenewal { get; set; }

        protected override void ProcessRecord() => Run(() =>
            new InventoryOperations(Workspace, Sink).Query(new CertificateQuery
            {
                Name = Name, Connector = Connector, Status = Status, ExpiringWithinDays = ExpiringWithin, Tag = Tag,
                BusinessUnit = BusinessUnit, Template = Template, SerialNumber = SerialNumber, Thumbprint = Thumbprint,
                NeedsRenewal = NeedsRenewal,
            }));
    }
}
