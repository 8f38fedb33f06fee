using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Commands
{
    /// <summary>The Intune connector's PKCS flow: a key made here, enrolled through any connector, delivered as a PFX behind a password or to a recipient.</summary>
    [Cmdlet(VerbsCommon.New, "CaPfxCertificate", SupportsShouldProcess = true, DefaultParameterSetName = NewSet)]
    [OutputType(typeof(PfxIssuance))]
    public sealed class NewCaPfxCertificateCommand : PscCmdlet
    {
        private const string NewSet = "New";
        private const string OrderSet = "Order";

        [Parameter(Mandatory = true, ParameterSetName = NewSet)]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string Connector { get; set; } = "";

        [Parameter(ParameterSetName = NewSet)]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string? Template { get; set; }

        [Parameter(Position = 0, ParameterSetName = NewSet)] [AllowEmptyString] public string Subject { get; set; } = "";
        [Parameter(ParameterSetName = NewSet)] public string[] SubjectAlternativeName { get; set; } = new string[0];
        [Parameter(ParameterSetName = NewSet)] public KeyAlgorithm KeyAlgorithm { get; set; } = KeyAlgorithm.Rsa;
        [Parameter(ParameterSetName = NewSet)] [ArgumentCompleter(typeof(KeyLengthCompleter))] public int KeyLength { get; set; }
        [Parameter(ParameterSetName = NewSet)] public string[] EnhancedKeyUsage { get; set; } = new string[0];
        [Parameter(ParameterSetName = NewSet)] public string? FriendlyName { get; set; }

        /// <summary>An earlier New-CaPfxCertificate order that waited for approval: its PFX is written once it is issued.</summary>
        [Parameter(Mandatory = true, ParameterSetName = OrderSet, ValueFromPipelineByPropertyName = true)]
        public long OrderId { get; set; }

        [Parameter(Mandatory = true)] [ValidateNotNullOrEmpty] public string FilePath { get; set; } = "";
        [Parameter] public SecureString? Password { get; set; }
        /// <summary>Encrypt the PFX to this certificate (CMS EnvelopedData, RSA) instead of a password.</summary>
        [Parameter] public X509Certificate2? RecipientCertificate { get; set; }
        /// <summary>Keep the key, encrypted, in the inventory for recovery; otherwise it is forgotten once the PFX is written.</summary>
        [Parameter] public SwitchParameter ArchiveKey { get; set; }
        [Parameter] public SwitchParameter Force { get; set; }
        [Parameter] public SwitchParameter LegacyEncryption { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var file = new ExportFileOptions
            {
                Path = GetUnresolvedProviderPathFromPSPath(FilePath), Overwrite = Force,
                PfxProtection = LegacyEncryption ? Pkcs12Protection.Legacy : Pkcs12Protection.Modern,
                Recipient = RecipientCertificate?.RawData,
            };
            var operations = new PfxOperations(Workspace, Sink);
            if (ParameterSetName == OrderSet)
            {
                operations.Deliver(OrderId, file, Plain(Password), ArchiveKey);
                return;
            }
            operations.New(Connector, Template, new RequestSpec
            {
                Subject = Subject,
                KeyAlgorithm = KeyAlgorithm,
                KeyLength = KeyLength != 0 ? KeyLength : KeyAlgorithms.DefaultLength(KeyAlgorithm),
                EnhancedKeyUsages = EnhancedKeyUsage,
                SubjectAlternativeNames = SubjectAlternativeName.Select(Core.Pkix.SubjectAlternativeName.Parse).ToList(),
                FriendlyName = FriendlyName,
                KeyUsage = 0xa0,
            }, file, Plain(Password), ArchiveKey);
        });
    }
}
