using System.Management.Automation;
using System.Security;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsData.Export, "CaCertificate", SupportsShouldProcess = true)]
    [OutputType(typeof(ExportedFile))]
    public sealed class ExportCaCertificateCommand : CertificateCmdlet
    {
        [Parameter(Mandatory = true)] [ValidateNotNullOrEmpty] public string FilePath { get; set; } = "";
        [Parameter] public ExportFormat Format { get; set; } = ExportFormat.Pem;
        [Parameter] public SwitchParameter IncludeChain { get; set; }
        [Parameter] public SecureString? Password { get; set; }
        /// <summary>Encrypt the PFX to this certificate (CMS EnvelopedData, RSA) instead of a password.</summary>
        [Parameter] public System.Security.Cryptography.X509Certificates.X509Certificate2? RecipientCertificate { get; set; }
        /// <summary>Replaces a file that exists; without it an existing file is an error and stays as it was.</summary>
        [Parameter] public SwitchParameter Force { get; set; }
        /// <summary>3DES/SHA-1 PFX for Windows Server 2016 and Windows 10 before 1709, which cannot read AES-protected PFX files.</summary>
        [Parameter] public SwitchParameter LegacyEncryption { get; set; }

        protected override void ProcessRecord() => Run(() =>
            new InventoryOperations(Workspace, Sink).ExportToFile(Selector(), Format, IncludeChain, Plain(Password), new ExportFileOptions
            {
                Path = GetUnresolvedProviderPathFromPSPath(FilePath), Overwrite = Force,
                PfxProtection = LegacyEncryption ? Pkcs12Protection.Legacy : Pkcs12Protection.Modern,
                Recipient = RecipientCertificate?.RawData,
            }));
    }
}
