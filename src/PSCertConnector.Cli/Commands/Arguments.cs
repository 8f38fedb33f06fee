using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PSCertConnector.Core;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Cli.Commands
{
    /// <summary>How several commands read the same kinds of argument, so each reads them, and words its refusals, one way.</summary>
    internal static class Arguments
    {
        public static string RequirePositional(CommandLine cl, string what) =>
            cl.Positionals.FirstOrDefault() ?? throw CommandLine.Usage($"Give the {what}.");

        public static IReadOnlyList<string> PositionalsRequired(CommandLine cl, string what) =>
            cl.Positionals.Count > 0 ? cl.Positionals : throw CommandLine.Usage($"Give at least one {what}.");

        /// <summary>--connector NAME, or the name as the first argument.</summary>
        public static string Connector(CommandLine cl) =>
            cl.Get("connector") ?? cl.Positionals.FirstOrDefault() ?? throw CommandLine.Usage("--connector is required (the connector's name).");

        public static IReadOnlyList<string> ConnectorNames(CommandLine cl, Workspace ws) =>
            cl.Has("all") || cl.Positionals.Count == 0 ? ws.Store.ListConnectors().Select(c => c.Name).ToList() : cl.Positionals;

        /// <summary>--setting KEY=VALUE, repeated.</summary>
        public static Dictionary<string, string> Settings(CommandLine cl)
        {
            var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in cl.AllRaw("setting"))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0) throw CommandLine.Usage($"--setting '{pair}' should be KEY=VALUE.");
                settings[pair.Substring(0, eq).Trim()] = pair.Substring(eq + 1).Trim();
            }
            return settings;
        }

        /// <summary>--import-every: 15m, 2h, 1w.</summary>
        public static (int Every, ImportFrequencyUnit Unit)? Frequency(string? text)
        {
            if (text == null) return null;
            var match = Regex.Match(text.Trim(), @"^(\d{1,5})\s*(m|min|minutes?|h|hours?|w|weeks?)$", RegexOptions.IgnoreCase);
            if (!match.Success || int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) < 1)
                throw CommandLine.Usage($"--import-every '{text}' should be a number with m, h or w (e.g. 15m, 2h, 1w).");
            var unit = char.ToLowerInvariant(match.Groups[2].Value[0]) switch
            {
                'h' => ImportFrequencyUnit.Hours,
                'w' => ImportFrequencyUnit.Weeks,
                _ => ImportFrequencyUnit.Minutes,
            };
            return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), unit);
        }

        /// <summary>The options that find and bind to Active Directory (adcs discover, connector add --discover).</summary>
        public static DirectoryOptions Directory(CommandLine cl)
        {
            var user = cl.Get("bind-user");
            var password = cl.Secret("bind-password-env", "bind-password-file");
            if ((user == null) != (password == null))
                throw CommandLine.Usage("Give --bind-user with --bind-password-env (or --bind-password-file), or neither to bind with the Kerberos ticket.");
            return new DirectoryOptions
            {
                Server = cl.Get("server"),
                Port = cl.Int("ldap-port", 1, 65535),
                UseLdaps = cl.Has("ldaps"),
                Credential = user == null ? null : new System.Net.NetworkCredential(user, password),
            };
        }

        /// <param name="explicitSerial">The value came from --serial: a serial, whatever its length.</param>
        public static CertificateSelector Certificate(CommandLine cl, string? idText, bool explicitSerial = false)
        {
            var connector = cl.Get("connector");
            var text = idText ?? throw CommandLine.Usage("Name the certificate by serial number or thumbprint.");
            var clean = text.Replace(" ", "").Replace(":", "");
            // A bare 40- or 64-digit value is taken as a thumbprint; --serial or --thumbprint says which it is.
            return !explicitSerial && clean.Length is 40 or 64 ? new CertificateSelector(null, clean, connector) : new CertificateSelector(text, null, connector);
        }

        /// <summary>The certificates a command names: serials or thumbprints as arguments, --serial and --thumbprint (repeatable).</summary>
        public static List<CertificateSelector> Certificates(CommandLine cl)
        {
            var selectors = new List<CertificateSelector>();
            foreach (var serial in cl.All("serial")) selectors.Add(Certificate(cl, serial, explicitSerial: true));
            foreach (var value in cl.Positionals) selectors.Add(Certificate(cl, value));
            foreach (var thumbprint in cl.All("thumbprint")) selectors.Add(new CertificateSelector(null, thumbprint, cl.Get("connector")));
            return selectors;
        }

        /// <summary>The orders an order command names: ids as arguments, --connector with --request-id, or (with a default state) every order in it.</summary>
        public static IReadOnlyList<OrderRecord> Orders(CommandLine cl, OrderOperations operations, SubmitStatus? defaultStatus, bool unfetchedOnly = false)
        {
            var connector = cl.Get("connector");
            var requestIds = cl.All("request-id");
            if (requestIds.Count > 0)
                return operations.Select(connector ?? throw CommandLine.Usage("--request-id needs --connector."), requestIds);
            if (cl.Positionals.Count > 0)
                return operations.Select(cl.Positionals.Select(text => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
                    : throw CommandLine.Usage($"'{text}' is not an order id (a number; see 'order list').")).ToList());
            if (defaultStatus == null || (defaultStatus == SubmitStatus.Issued && !cl.Has("all")))
                throw CommandLine.Usage("Name the orders: order ids as arguments, --connector with --request-id" + (defaultStatus == SubmitStatus.Issued ? ", or --all." : "."));
            return operations.Select(defaultStatus.Value, connector, unfetchedOnly);
        }

        /// <summary>The certificate --to names (PEM or DER): whom a PFX is encrypted to; null without --to.</summary>
        public static byte[]? RecipientCertificate(CommandLine cl) =>
            cl.Get("to") is string to ? Core.Pkix.Pem.ReadPemOrDer(ReadFile(to, "recipient certificate"), "recipient certificate", "CERTIFICATE") : null;

        public static byte[] ReadFile(string path, string what)
        {
            try { return File.ReadAllBytes(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new PscException("FileUnreadable", FailureCategory.ReadError, $"The {what} '{path}' cannot be read: {ex.Message}") { Target = path };
            }
        }

        public static void WriteFile(string path, byte[] content)
        {
            var full = Path.GetFullPath(path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            AtomicFile.Write(full, content);
        }
    }
}
