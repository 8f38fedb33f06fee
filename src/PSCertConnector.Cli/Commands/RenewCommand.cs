using PSCertConnector.Core.Operations;
using PSCertConnector.Core;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class RenewCommand : CliCommand
    {
        public RenewCommand() : base("renew",
            "Renew certificates through the connector that issued them: same subject, SANs, key usage, EKUs and template, a new key unless --reuse-key; the order is linked to the certificate it renews.",
            new CliOption("serial", "serial number (or give serials or thumbprints as arguments)"),
            new CliOption("thumbprint", ""),
            new CliOption("connector", "the connector of the serials; with --due, renew only its certificates"),
            CliOption.Flag("due", "renew every certificate due under its renewal policy (renewBeforeDays, renewAtPercent)"),
            CliOption.Flag("reuse-key", "request for the old key (it must be kept in the inventory)"),
            new CliOption("template", "template to ask for instead of the certificate's own"),
            CliOption.Flag("revoke-old", "revoke the old certificate once its successor is issued (needs --yes)"),
            new CliOption("reason", "with --revoke-old: the revocation reason (default superseded)"),
            new CliOption("pfx-password-env", "password for the PFX files the old certificate was exported to (they get the new one)"),
            new CliOption("pfx-password-file", "the same password from a file"),
            new CliOption("post-command", "shell command run after each renewed certificate is deployed (PSC_RENEWED_THUMBPRINT, _SERIAL, _OLD_THUMBPRINT, _SUBJECT, _FILES)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var connector = cl.Get("connector");
            var selectors = Arguments.Certificates(cl);
            var due = cl.Has("due");
            if (cl.Get("reason") != null && !cl.Has("revoke-old")) throw CommandLine.Usage("--reason goes with --revoke-old.");
            var options = new RenewOptions
            {
                Template = cl.Get("template"),
                ReuseKey = cl.Has("reuse-key"),
                RevokeOld = cl.Has("revoke-old"),
                RevokeReason = cl.Enum<RevocationReason>("reason") ?? RevocationReason.Superseded,
                PfxPassword = cl.Secret("pfx-password-env", "pfx-password-file"),
                PostRenewalCommand = cl.Get("post-command"),
            };
            return run.Op(options.RevokeOld, (ws, s) =>
            {
                RenewalOperations.CheckSelection(due, selectors.Count > 0);
                var renewal = new RenewalOperations(ws, s);
                if (due) renewal.RenewDue(connector, options);
                else renewal.Renew(selectors, options, selectors.Count);
            });
        }
    }
}
