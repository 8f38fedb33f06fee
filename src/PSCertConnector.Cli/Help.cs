using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PSCertConnector.Cli
{
    /// <summary>Each command's synopsis and options: the help text, and the list unknown options are checked against.</summary>
    internal static class Help
    {
        private static readonly string[] Global = { "json", "verbose", "what-if", "yes", "home", "help" };

        private sealed record Command(string Name, string Synopsis, (string Option, string Text)[] Options);

        private static readonly Command[] Commands =
        {
            new("connector add", "Create a connector. Secrets come from --secret-env VAR or --secret-file FILE.", new[]
            {
                ("name", "connector name (letters, digits, . - _)"), ("type", "connector type: local, adcs-ces, adcs-web, adcs-dcom, digicert-one, digicert-certcentral"), ("domain", "domain the connector serves"),
                ("business-unit", "business unit given to imported certificates"), ("tag", "tag for imported certificates (repeat or comma-separate)"),
                ("priority", "1 (tried first) to 10; default 5"), ("import-every", "import frequency: 15m (default), 2h, 1w"),
                ("no-import", "do not import on a schedule"), ("setting", "transport setting KEY=VALUE (repeat)"),
                ("secret-env", "environment variable holding the password or API key"), ("secret-file", "file holding the password or API key"),
                ("discover", "create adcs-ces connectors from Active Directory, one per CES endpoint (--name is then a name prefix)"),
                ("ca", "with --discover: only this enterprise CA"),
                ("server", "with --discover: domain controller or domain (required off Windows)"), ("ldap-port", "with --discover: LDAP port (389, or 636 with --ldaps)"),
                ("ldaps", "with --discover: LDAP over TLS"), ("bind-user", "with --discover: bind as this account (user@domain) instead of the Kerberos ticket"),
                ("bind-password-env", "with --discover: the bind account's password from this environment variable"), ("bind-password-file", "the same, from a file"),
            }),
            new("adcs discover", "List the enterprise CAs Active Directory publishes: host, CA certificate, CES endpoints and templates (bound with the Kerberos ticket, or a password over LDAPS).", new[]
            {
                ("server", "domain controller or domain (required off Windows)"), ("ldap-port", "LDAP port (389, or 636 with --ldaps)"), ("ldaps", "LDAP over TLS"),
                ("ca", "only this enterprise CA"), ("templates", "list the certificate templates instead of the CAs"),
                ("bind-user", "bind as this account (user@domain) instead of the Kerberos ticket"),
                ("bind-password-env", "the bind account's password from this environment variable"), ("bind-password-file", "the same, from a file"),
            }),
            new("connector list", "List connectors; an optional name pattern (wildcards * ?).", Array.Empty<(string, string)>()),
            new("connector show", "Show one connector: certconnector connector show NAME.", Array.Empty<(string, string)>()),
            new("connector set", "Change a connector: certconnector connector set NAME [options of 'connector add'].", new[]
            {
                ("new-name", "rename the connector"), ("domain", ""), ("business-unit", ""), ("tag", "replaces the tags"), ("priority", ""),
                ("import-every", ""), ("no-import", ""), ("import", "turn scheduled import back on"), ("setting", "KEY=VALUE; KEY= removes it"),
                ("secret-env", ""), ("secret-file", ""),
            }),
            new("connector services", "Show the enrollment endpoints (CES URIs, authentication, priority, renewal-only) a connector's policy service lists; cached with the templates.", new[]
            {
                ("refresh", "ask the policy service again (also refreshes the templates)"),
            }),
            new("connector test", "Test connectors (all when none is named).", new[] { ("all", "test every connector") }),
            new("connector remove", "Remove connectors; their orders and certificates stay in the inventory. Needs --yes.", Array.Empty<(string, string)>()),
            new("template list", "List a connector's templates from the cache, or from the CA with --refresh.", new[]
            {
                ("connector", "connector name"), ("refresh", "fetch the list from the CA again"),
            }),
            new("request new", "Generate a key and a PKCS#10 request (from flags or a certreq INF); the key is kept protected for pairing.", new[]
            {
                ("inf", "certreq INF file ([NewRequest], [Extensions], [EnhancedKeyUsageExtension], [RequestAttributes])"),
                ("subject", "subject DN, e.g. 'CN=ra01,O=Contoso'"), ("key-algorithm", "rsa (default), ecdsa-p256, ecdsa-p384"),
                ("key-length", "2048 (default), 3072, 4096"), ("san", "subject alternative name, e.g. dns=www.contoso.com (repeat)"),
                ("eku", "enhanced key usage OID (repeat)"), ("key-usage", "key usage, e.g. 0xa0"), ("hash", "sha256 (default), sha384, sha512"),
                ("exportable", "allow the key to be exported to PFX later"), ("machine-key-set", "install into the machine store later"),
                ("friendly-name", "friendly name"), ("template", "CertificateTemplate request attribute"), ("out", "write the CSR (PEM) to this file"),
                ("intune", "apply the Intune / DigiCert PKI Platform rules with this subject format: cn, cn-email or cn-as-email"),
                ("email", "the user's email (Intune rules; falls back to the UPN)"), ("upn", "the user's UPN (Intune rules; falls back to the email)"),
                ("other-name", "other-name SAN as OID;HEX (Intune rules; repeat)"), ("no-email-san", "no email SAN (Intune rules)"), ("no-upn-san", "no UPN SAN (Intune rules)"),
                ("profile-oid", "DigiCert PKI Platform certificate profile OID, checked and sent as the template"),
            }),
            new("submit", "Submit a request to a connector; the order is tracked in the inventory (recorded before the CA is contacted, so a killed run is settled, not resubmitted; the same request again returns its order).", new[]
            {
                ("connector", "connector name"), ("template", "template (default: the request's CertificateTemplate attribute)"),
                ("csr", "CSR file, PEM or DER"), ("attribute", "extra request attribute NAME:VALUE (repeat)"),
            }),
            new("order list", "List orders.", new[] { ("connector", ""), ("status", "pending, issued, denied, failed, revoked, submitting, unknown"), ("refresh", "poll the CA for pending orders") }),
            new("order refresh", "Poll the CA for pending orders (all pending when no id is given).", new[] { ("connector", "") }),
            new("order fetch", "Put issued orders' certificates into the inventory (all unfetched issued orders with --all).", new[] { ("connector", ""), ("all", "") }),
            new("order remove", "Remove orders from the inventory. Needs --yes.", new[] { ("connector", ""), ("request-id", "CA request id instead of order ids") }),
            new("order approve", "Approve pending requests on the CA (order ids, or --connector and --request-id).", new[] { ("connector", ""), ("request-id", "") }),
            new("order deny", "Deny pending requests on the CA. Needs --yes.", new[] { ("connector", ""), ("request-id", "") }),
            new("import", "Import a CA's issued and revoked certificates into the inventory, from the last watermark (or --full).", new[]
            {
                ("connector", "connector name (or give names as arguments; --all for every connector with import on)"), ("all", ""),
                ("full", "start from the beginning instead of the watermark"), ("business-unit", "business unit for what is imported"),
                ("tag", "tag for what is imported (repeat)"), ("batch-size", "rows per page and transaction (default 500)"),
            }),
            new("cert list", "Query the inventory.", new[]
            {
                ("connector", ""), ("status", "valid, expired, revoked"), ("expiring-within", "days"), ("name", "wildcard on subject and SANs"),
                ("tag", ""), ("business-unit", ""), ("template", ""), ("serial", ""), ("thumbprint", ""),
            }),
            new("cert show", "Show one certificate: certconnector cert show SERIAL|THUMBPRINT.", new[] { ("connector", "when a serial is known for several CAs") }),
            new("cert export", "Export a certificate: certconnector cert export SERIAL|THUMBPRINT --format pem|der|pfx --out FILE.", new[]
            {
                ("serial", "serial number, whatever its length"), ("thumbprint", "SHA-1 or SHA-256 thumbprint"),
                ("connector", ""), ("format", "pem (default), der, pfx"), ("out", "output file"), ("chain", "include the issuing chain"),
                ("password-env", "PFX password from this environment variable"), ("password-file", "PFX password from this file"),
                ("force", "replace the file if it exists (otherwise an existing file is an error)"),
                ("legacy-pfx", "3DES/SHA-1 PFX for Windows Server 2016 and Windows 10 before 1709 (default: AES-256, PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC)"),
            }),
            new("revoke", "Revoke certificates through the connector that issued them. Needs --yes.", new[]
            {
                ("serial", "serial number (or give serials as arguments)"), ("thumbprint", ""), ("connector", ""),
                ("reason", "unspecified, key-compromise, ca-compromise, affiliation-changed, superseded, cessation-of-operation, certificate-hold, remove-from-crl (releases a hold), privilege-withdrawn, aa-compromise"),
                ("effective-date", "revocation date (UTC, ISO 8601); default now"),
            }),
            new("crl show", "Show a connector's CRL and its entries.", new[] { ("connector", ""), ("out", "write the CRL (DER) to this file"), ("publish", "publish a new CRL first (embedded CA)") }),
            new("lab serve", "Run the AD CS-compatible Lab server (CEP, CES, /certsrv) over HTTPS on 127.0.0.1 until Ctrl+C, and its CA's certificates and CRLs over HTTP (/CertEnroll, as the AIA and CDP URLs of what it issues name them); prints its URLs and CA bundle.", new[]
            {
                ("port", "TCP port (default 8443; 0 picks a free one)"),
                ("http-port", "TCP port of the HTTP publication point (AIA and CDP); taken when the Lab's CA is first made (default: a free one) and kept, because its certificates name it"),
                ("user", "account name (default labuser)"),
                ("password-env", "the account's password from this environment variable (this or --password-file is required)"), ("password-file", "the account's password from this file"),
                ("ca-name", "the Lab CA's name (default 'PSCertConnector Lab CA'); fixed once the Lab home exists"),
                ("lab-home", "folder of the Lab's CA (default <home>/lab)"),
                ("api-key-env", "API key the DigiCert ONE emulation accepts, from this environment variable"), ("api-key-file", "the same, from a file"),
                ("keytab", "also accept HTTP Negotiate (Kerberos) on the _Kerberos endpoints and /certsrv, with the HTTP/localhost key in this keytab"),
            }),
            new("intune check", "Check the values an Intune PKCS profile for DigiCert PKI Platform takes: the CA FQDN, the CA name and the profile OID.", new[]
            {
                ("ca-fqdn", "the PKI Platform host, e.g. pki-ws.symauth.com (no https://, no trailing slash)"), ("ca-name", "the CA name: Symantec"),
                ("profile-oid", "the certificate profile OID"),
            }),
            new("demo", "Run the whole lifecycle on an embedded CA in a fresh home folder and print each step.", Array.Empty<(string, string)>()),
        };

        public static void ValidateOptions(string command, CommandLine cl)
        {
            var spec = Commands.FirstOrDefault(c => c.Name == command);
            if (spec == null) return; // unknown commands are reported by the dispatcher
            var allowed = new HashSet<string>(spec.Options.Select(o => o.Option).Concat(Global));
            var unknown = cl.OptionNames.Where(o => !allowed.Contains(o)).ToList();
            if (unknown.Count > 0)
                throw CommandLine.Usage($"'{command}' does not take {string.Join(", ", unknown.Select(u => "--" + u))}. See 'certconnector {command} --help'.");
        }

        public static string Overview
        {
            get
            {
                var sb = new StringBuilder();
                sb.AppendLine("certconnector - the certificate lifecycle against enterprise CAs and an embedded CA");
                sb.AppendLine();
                sb.AppendLine("Usage: certconnector <command> [arguments] [options]");
                sb.AppendLine();
                foreach (var c in Commands) sb.AppendLine($"  {c.Name,-18} {c.Synopsis}");
                sb.AppendLine();
                sb.AppendLine("Options for every command: --json (stable camelCase output), --verbose, --what-if, --yes, --home DIR, --help.");
                sb.AppendLine("State lives in $PSCERTCONNECTOR_HOME (or --home), else ~/.local/share/pscertconnector (%LOCALAPPDATA%\\PSCertConnector on Windows).");
                sb.AppendLine("Secrets are never taken on the command line: name an environment variable or a file.");
                return sb.ToString();
            }
        }

        public static string For(string command)
        {
            var spec = Commands.FirstOrDefault(c => c.Name == command);
            if (spec == null) return Overview;
            var sb = new StringBuilder();
            sb.AppendLine($"certconnector {spec.Name}: {spec.Synopsis}");
            if (spec.Options.Length > 0)
            {
                sb.AppendLine();
                foreach (var (option, text) in spec.Options) sb.AppendLine($"  --{option,-16} {text}");
            }
            sb.AppendLine();
            sb.AppendLine("  --json, --verbose, --what-if, --yes, --home DIR");
            return sb.ToString();
        }
    }
}
