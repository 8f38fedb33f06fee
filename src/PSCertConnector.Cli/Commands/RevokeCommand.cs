using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class RevokeCommand : CliCommand
    {
        public RevokeCommand() : base("revoke", "Revoke certificates through the connector that issued them, or with --queue let the maintenance pass do it (retrying a CA that is down). Needs --yes.",
            new CliOption("serial", "serial number (or give serials as arguments)"),
            new CliOption("thumbprint", ""),
            new CliOption("connector", ""),
            new CliOption("reason", "unspecified, key-compromise, ca-compromise, affiliation-changed, superseded, cessation-of-operation, certificate-hold, remove-from-crl (releases a hold), privilege-withdrawn, aa-compromise"),
            new CliOption("effective-date", "revocation date (UTC, ISO 8601); default now (queued: when it was queued)"),
            CliOption.Flag("queue", "queue the revocations for the maintenance pass instead of revoking now"),
            new CliOption("file", "with --queue: revocations from this file, one per line: SERIAL[,REASON[,CONNECTOR]] (# starts a comment)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var queue = cl.Has("queue");
            var file = cl.Get("file");
            if (file != null && !queue) throw CommandLine.Usage("--file reads revocations for the queue: add --queue.");
            var givenReason = cl.Enum<RevocationReason>("reason");
            if (givenReason == null && file == null) throw CommandLine.Usage("--reason is required (e.g. key-compromise, superseded, certificate-hold, remove-from-crl).");
            DateTimeOffset? effective = null;
            if (cl.Get("effective-date") is string dateText)
            {
                if (!DateTimeOffset.TryParse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    throw CommandLine.Usage($"--effective-date '{dateText}' is not a date (e.g. 2026-11-22T10:00:00Z).");
                effective = parsed.ToUniversalTime();
            }
            var selectors = Arguments.Certificates(cl);
            if (queue)
            {
                var inputs = selectors.Select(s => new RevocationInput(s, givenReason ?? RevocationReason.Unspecified, effective)).ToList();
                if (file != null) inputs.AddRange(ReadFile(file, givenReason, effective));
                if (inputs.Count == 0) throw CommandLine.Usage("Name the certificates to queue: serial numbers as arguments, --serial, --thumbprint or --file.");
                return run.Op(true, (ws, s) => new RevocationQueueOperations(ws, s).Queue(inputs));
            }
            if (selectors.Count == 0) throw CommandLine.Usage("Name the certificates to revoke: serial numbers as arguments, --serial or --thumbprint.");
            var reason = givenReason!.Value;
            return run.Op(true, (ws, s) => new InventoryOperations(ws, s).Revoke(selectors, reason, effective));
        }

        /// <summary>SERIAL[,REASON[,CONNECTOR]] per line; a line's reason overrides --reason. A bad line is a usage error naming its number.</summary>
        private static IEnumerable<RevocationInput> ReadFile(string path, RevocationReason? defaultReason, DateTimeOffset? effective)
        {
            var text = System.Text.Encoding.UTF8.GetString(Arguments.ReadFile(path, "revocation list"));
            var lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim().TrimStart('\uFEFF');
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal)) continue;
                var fields = line.Split(',').Select(f => f.Trim()).ToArray();
                if (i == 0 && fields[0].Equals("serial", StringComparison.OrdinalIgnoreCase)) continue; // a header line
                RevocationReason reason;
                if (fields.Length > 1 && fields[1].Length > 0)
                    reason = CommandLine.ParseEnum<RevocationReason>(fields[1]) ?? throw CommandLine.Usage($"{path} line {i + 1}: '{DisplayText.Escape(fields[1])}' is not a revocation reason (e.g. key-compromise, superseded).");
                else
                    reason = defaultReason ?? throw CommandLine.Usage($"{path} line {i + 1} names no reason and --reason gives none.");
                var connector = fields.Length > 2 && fields[2].Length > 0 ? fields[2] : null;
                yield return new RevocationInput(new CertificateSelector(Hex.NormalizeSerial(fields[0]), null, connector), reason, effective);
            }
        }
    }
}
