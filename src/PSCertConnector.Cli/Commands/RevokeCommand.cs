using System;
using System.Globalization;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class RevokeCommand : CliCommand
    {
        public RevokeCommand() : base("revoke", "Revoke certificates through the connector that issued them. Needs --yes.",
            new CliOption("serial", "serial number (or give serials as arguments)"),
            new CliOption("thumbprint", ""),
            new CliOption("connector", ""),
            new CliOption("reason", "unspecified, key-compromise, ca-compromise, affiliation-changed, superseded, cessation-of-operation, certificate-hold, remove-from-crl (releases a hold), privilege-withdrawn, aa-compromise"),
            new CliOption("effective-date", "revocation date (UTC, ISO 8601); default now"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var reason = cl.Enum<RevocationReason>("reason") ?? throw CommandLine.Usage("--reason is required (e.g. key-compromise, superseded, certificate-hold, remove-from-crl).");
            DateTimeOffset? effective = null;
            if (cl.Get("effective-date") is string dateText)
            {
                if (!DateTimeOffset.TryParse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    throw CommandLine.Usage($"--effective-date '{dateText}' is not a date (e.g. 2026-11-22T10:00:00Z).");
                effective = parsed.ToUniversalTime();
            }
            var selectors = Arguments.Certificates(cl);
            if (selectors.Count == 0) throw CommandLine.Usage("Name the certificates to revoke: serial numbers as arguments, --serial or --thumbprint.");
            return run.Op(true, (ws, s) => new InventoryOperations(ws, s).Revoke(selectors, reason, effective));
        }
    }
}
