using System.IO;
using System.Linq;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class PfxNewCommand : CliCommand
    {
        public PfxNewCommand() : base("pfx new",
            "Make a key here, enroll it through a connector and write the PFX behind a password or encrypted to a recipient certificate (the Intune connector's PKCS flow).",
            new CliOption("connector", "connector to enroll through (any that enrolls: AD CS, DigiCert, SCEP, embedded)"),
            new CliOption("template", "template (default: the connector's, where it has one)"),
            new CliOption("subject", "subject DN, e.g. 'CN=alice,O=Contoso'"),
            new CliOption("san", "subject alternative name, e.g. email=alice@contoso.com (repeat)"),
            new CliOption("key-algorithm", "rsa (default), ecdsa-p256, ecdsa-p384"),
            new CliOption("key-length", "2048 (default), 3072, 4096"),
            new CliOption("eku", "enhanced key usage OID (repeat)"),
            new CliOption("key-usage", "key usage, e.g. 0xa0"),
            new CliOption("hash", "sha256 (default), sha384, sha512"),
            new CliOption("friendly-name", "friendly name"),
            new CliOption("order", "write the PFX of this earlier 'pfx new' order, once it is issued"),
            new CliOption("password-env", "PFX password from this environment variable"),
            new CliOption("password-file", "PFX password from this file"),
            new CliOption("to", "encrypt the PFX to this certificate (PEM or DER, RSA) instead of a password: a CMS EnvelopedData"),
            new CliOption("out", "the file to write"),
            CliOption.Flag("archive-key", "keep the key, encrypted, in the inventory for recovery (default: forgotten once the PFX is written)"),
            CliOption.Flag("force", "replace the file if it exists"),
            CliOption.Flag("legacy-pfx", "3DES/SHA-1 PFX for Windows Server 2016 and Windows 10 before 1709"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var file = PfxOutput(cl);
            var password = cl.Secret("password-env", "password-file");
            var archive = cl.Has("archive-key");
            if (cl.Get("order") is string orderText)
            {
                if (cl.Has("subject") || cl.Has("connector")) throw CommandLine.Usage("--order writes an earlier order's PFX: leave out --connector and the request flags.");
                var orderId = long.TryParse(orderText, out var id) && id > 0 ? id : throw CommandLine.Usage($"--order '{orderText}' should be an order id.");
                return run.Op(false, (ws, s) => new PfxOperations(ws, s).Deliver(orderId, file, password, archive), single: true, render: run.JsonOr(sink => Render(run, sink)));
            }
            var connector = cl.Require("connector", "the connector to enroll through");
            var spec = RequestNewCommand.SpecFromFlags(cl);
            var template = cl.Get("template");
            return run.Op(false, (ws, s) => new PfxOperations(ws, s).New(connector, template, spec, file, password, archive), single: true, render: run.JsonOr(sink => Render(run, sink)));
        }

        /// <summary>--out, --force and --to, as 'pfx new' and 'pfx reencrypt' both take them; 'pfx new' also --legacy-pfx.</summary>
        internal static ExportFileOptions PfxOutput(CommandLine cl, bool passwordForm = true) => new ExportFileOptions
        {
            Path = Path.GetFullPath(cl.Require("out", "the file to write")),
            Overwrite = cl.Has("force"),
            PfxProtection = passwordForm && cl.Has("legacy-pfx") ? Pkcs12Protection.Legacy : Pkcs12Protection.Modern,
            Recipient = Arguments.RecipientCertificate(cl),
        };

        private static void Render(Invocation run, CliSink sink)
        {
            foreach (var p in sink.Objects.OfType<PfxIssuance>())
                run.Out.WriteLine(p.Path != null
                    ? $"PFX of {p.Subject} (serial {p.SerialNumber}, order {p.OrderId} on '{p.Connector}') written to {p.Path}, {p.Protection}; key {(p.KeyArchived ? "archived, encrypted, in the inventory" : "not kept")}."
                    : $"Order {p.OrderId} on '{p.Connector}' for {p.Subject} is {p.Status}{(p.Message != null ? ": " + p.Message : ".")}");
        }
    }
}
