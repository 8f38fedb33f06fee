using System.IO;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>Imported PFX re-encryption: open a PFX (password, or the key it was encrypted to), encrypt it to a new recipient, record its certificate.</summary>
    [Cmdlet(VerbsSecurity.Protect, "CaPfxCertificate", SupportsShouldProcess = true)]
    [OutputType(typeof(PfxReencryption))]
    public sealed class ProtectCaPfxCertificateCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string FilePath { get; set; } = "";

        [Parameter] public SecureString? Password { get; set; }
        /// <summary>For a CMS-encrypted input: the PFX holding the certificate and key it was encrypted to.</summary>
        [Parameter] public string? KeyPfxPath { get; set; }
        [Parameter] public SecureString? KeyPassword { get; set; }
        [Parameter(Mandatory = true)] public X509Certificate2 RecipientCertificate { get; set; } = null!;
        /// <summary>The file to write, or an existing folder to write NAME.p7m into (one per piped PFX).</summary>
        [Parameter(Mandatory = true)] [ValidateNotNullOrEmpty] public string Destination { get; set; } = "";
        [Parameter] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }
        [Parameter] public SwitchParameter ArchiveKey { get; set; }
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var input = GetUnresolvedProviderPathFromPSPath(FilePath);
            var destination = GetUnresolvedProviderPathFromPSPath(Destination);
            if (Directory.Exists(destination)) destination = Path.Combine(destination, Path.GetFileNameWithoutExtension(input) + ".p7m");
            (string, string)? holder = KeyPfxPath == null ? null : (GetUnresolvedProviderPathFromPSPath(KeyPfxPath), Plain(KeyPassword) ?? "");
            new PfxOperations(Workspace, Sink).Reencrypt(input, Plain(Password), holder,
                new ExportFileOptions { Path = destination, Overwrite = Force, Recipient = RecipientCertificate.RawData }, Connector, ArchiveKey);
        });
    }
}
