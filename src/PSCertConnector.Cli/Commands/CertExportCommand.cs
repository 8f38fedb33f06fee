using System.IO;
using System.Linq;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class CertExportCommand : CliCommand
    {
        public CertExportCommand() : base("cert export", "Export a certificate: certconnector cert export SERIAL|THUMBPRINT --format pem|der|pfx --out FILE.",
            new CliOption("serial", "serial number, whatever its length"),
            new CliOption("thumbprint", "SHA-1 or SHA-256 thumbprint"),
            new CliOption("connector", ""),
            new CliOption("format", "pem (default), der, pfx"),
            new CliOption("out", "output file"),
            CliOption.Flag("chain", "include the issuing chain"),
            new CliOption("password-env", "PFX password from this environment variable"),
            new CliOption("password-file", "PFX password from this file"),
            new CliOption("to", "encrypt the PFX to this certificate (PEM or DER, RSA) instead of a password: a CMS EnvelopedData"),
            CliOption.Flag("force", "replace the file if it exists (otherwise an existing file is an error)"),
            CliOption.Flag("legacy-pfx", "3DES/SHA-1 PFX for Windows Server 2016 and Windows 10 before 1709 (default: AES-256, PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var selector = cl.Get("thumbprint") is string tp ? new CertificateSelector(null, tp, cl.Get("connector"))
                : cl.Get("serial") is string sn ? Arguments.Certificate(cl, sn, explicitSerial: true)
                : Arguments.Certificate(cl, cl.Positionals.FirstOrDefault());
            var format = cl.Enum<ExportFormat>("format") ?? ExportFormat.Pem;
            var outPath = cl.Require("out", "the file to write");
            var includeChain = cl.Has("chain");
            var password = format == ExportFormat.Pfx ? cl.Secret("password-env", "password-file") : null;
            var recipient = Arguments.RecipientCertificate(cl);
            if (recipient != null && format != ExportFormat.Pfx) throw CommandLine.Usage("--to encrypts a PFX: give --format pfx.");
            if (format == ExportFormat.Pfx && password == null && recipient == null)
                throw CommandLine.Usage("A PFX needs a password (--password-env VAR or --password-file FILE) or a recipient certificate (--to FILE).");
            var file = new ExportFileOptions
            {
                Path = Path.GetFullPath(outPath), Overwrite = cl.Has("force"),
                PfxProtection = cl.Has("legacy-pfx") ? Pkcs12Protection.Legacy : Pkcs12Protection.Modern,
                Recipient = recipient,
            };
            return run.Op(false, (ws, s) => new InventoryOperations(ws, s).ExportToFile(selector, format, includeChain, password, file), render: run.JsonOr(sink =>
            {
                foreach (var e in sink.Objects.OfType<ExportedFile>())
                    run.Out.WriteLine($"Exported {e.Subject} ({e.Format.ToString().ToUpperInvariant()}{(e.IncludesChain ? " with chain" : "")}{(e.IncludesPrivateKey ? ", with private key" : "")}{(e.Protection.Length > 0 ? ", " + e.Protection : "")}) to {e.Path}");
            }));
        }
    }
}
