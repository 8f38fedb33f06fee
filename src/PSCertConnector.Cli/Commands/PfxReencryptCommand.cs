using System.Linq;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class PfxReencryptCommand : CliCommand
    {
        public PfxReencryptCommand() : base("pfx reencrypt",
            "Open an imported PFX (with its password, or with the key it was encrypted to) and encrypt it to a new recipient; its certificate goes into the inventory.",
            new CliOption("in", "the PFX (or CMS-encrypted PFX) to open"),
            new CliOption("password-env", "the PFX's password from this environment variable"),
            new CliOption("password-file", "the PFX's password from this file"),
            new CliOption("key-pfx", "for a CMS-encrypted input: the PFX with the certificate and key it was encrypted to"),
            new CliOption("key-password-env", "that PFX's password from this environment variable"),
            new CliOption("key-password-file", "that PFX's password from this file"),
            new CliOption("to", "the new recipient's certificate (PEM or DER, RSA)"),
            new CliOption("out", "the file to write (a CMS EnvelopedData)"),
            new CliOption("connector", "the connector whose CA issued the certificate, recorded with it (default: imported)"),
            CliOption.Flag("archive-key", "keep the key, encrypted, in the inventory for recovery"),
            CliOption.Flag("force", "replace the file if it exists"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var input = cl.Require("in", "the PFX to open");
            if (!cl.Has("to")) throw CommandLine.Usage("--to names the certificate to encrypt the PFX to.");
            var file = PfxNewCommand.PfxOutput(cl, passwordForm: false);
            var password = cl.Secret("password-env", "password-file");
            (string, string)? holder = null;
            if (cl.Get("key-pfx") is string keyPfx)
                holder = (keyPfx, cl.Secret("key-password-env", "key-password-file")
                    ?? throw CommandLine.Usage("--key-pfx needs its password: --key-password-env VAR or --key-password-file FILE."));
            var connector = cl.Get("connector");
            return run.Op(false, (ws, s) => new PfxOperations(ws, s).Reencrypt(input, password, holder, file, connector, cl.Has("archive-key")), single: true,
                render: run.JsonOr(sink =>
                {
                    foreach (var r in sink.Objects.OfType<PfxReencryption>())
                        run.Out.WriteLine($"PFX of {r.Subject} (serial {r.SerialNumber}) encrypted to a new recipient in {r.Path}, {r.Protection}; recorded under '{r.Connector}'.");
                }));
        }
    }
}
