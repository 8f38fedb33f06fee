using System;
using System.Collections.Generic;
using System.DirectoryServices.Protocols;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;

namespace PSCertConnector.Core.ActiveDirectory
{
    /// <summary>
    /// Finds enterprise CAs, their CES endpoints and the certificate templates in Active Directory over LDAP
    /// (System.DirectoryServices.Protocols: Wldap32 on Windows, OpenLDAP with Cyrus SASL GSSAPI on Linux).
    /// </summary>
    public static class AdcsDirectory
    {
        private const int PageSize = 500;
        private const int MaxObjects = 100_000; // a forest with more templates or CAs than this is not one we can read sensibly

        public static AdDiscovery Discover(DirectoryOptions options, CancellationToken cancellation = default, Action<string>? progress = null)
        {
            var isWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var server = string.IsNullOrWhiteSpace(options.Server) ? null : options.Server!.Trim();
            if (server == null && !isWindows)
                throw new PscException("DirectoryServerRequired", FailureCategory.InvalidArgument,
                    "Name a domain controller or the domain (-Server / --server dc1.contoso.com): off Windows there is no DC locator.") { Target = "server" };
            if (options.Credential != null && !isWindows && !options.UseLdaps)
                throw new PscException("LdapsRequired", FailureCategory.InvalidArgument,
                    "Explicit credentials bind with a simple bind off Windows, and a password is only sent over LDAPS: add -UseLdaps / --ldaps " +
                    "(or bind with your Kerberos ticket: leave the credential out after kinit).") { Target = "credential" };
            var port = options.Port ?? (options.UseLdaps ? 636 : 389);
            var shown = $"{server ?? "(the domain's DC)"}:{port}";

            using var connection = Connect(server, port, options, isWindows);
            cancellation.ThrowIfCancellationRequested();
            progress?.Invoke($"Binding to {shown}");
            Run(() => connection.Bind(), shown, options);

            var rootDse = Search(connection, "", "(objectClass=*)", SearchScope.Base, new[] { "configurationNamingContext", "dnsHostName" }, shown, options, cancellation).FirstOrDefault()
                ?? throw new PscException("DirectoryUnreadable", FailureCategory.InvalidData, $"{shown} returned no RootDSE.");
            var configuration = rootDse.Text("configurationNamingContext")
                ?? throw new PscException("DirectoryUnreadable", FailureCategory.InvalidData, $"{shown}'s RootDSE names no configurationNamingContext: is it an Active Directory domain controller?");
            var publicKeyServices = "CN=Public Key Services,CN=Services," + configuration;
            var warnings = new List<string>();

            progress?.Invoke("Reading enrollment services");
            var services = new List<AdEnrollmentService>();
            foreach (var entry in Search(connection, "CN=Enrollment Services," + publicKeyServices, "(objectClass=pKIEnrollmentService)", SearchScope.OneLevel,
                         AdcsDirectoryReader.EnrollmentServiceAttributes, shown, options, cancellation))
                if (AdcsDirectoryReader.ReadEnrollmentService(entry, warnings) is { } service) services.Add(service);

            progress?.Invoke("Reading certificate templates");
            var templates = new List<CaTemplate>();
            foreach (var entry in Search(connection, "CN=Certificate Templates," + publicKeyServices, "(objectClass=pKICertificateTemplate)", SearchScope.OneLevel,
                         AdcsDirectoryReader.TemplateAttributes, shown, options, cancellation))
                if (AdcsDirectoryReader.ReadTemplate(entry, warnings) is { } template) templates.Add(template);

            var known = new HashSet<string>(templates.Select(t => t.Name), StringComparer.OrdinalIgnoreCase);
            foreach (var service in services)
                foreach (var missing in service.Templates.Where(t => !known.Contains(t)))
                    warnings.Add($"Enrollment service '{service.Name}' publishes template '{missing}', which is not among the readable templates.");

            return new AdDiscovery
            {
                Forest = ForestOf(configuration),
                Server = rootDse.Text("dnsHostName") ?? server ?? "",
                ConfigurationNamingContext = configuration,
                EnrollmentServices = services.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList(),
                Templates = templates.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToList(),
                Warnings = warnings,
            };
        }

        /// <summary>CN=Configuration,DC=contoso,DC=com → contoso.com.</summary>
        public static string ForestOf(string configurationNamingContext) =>
            string.Join(".", configurationNamingContext.Split(',').Select(p => p.Trim())
                .Where(p => p.StartsWith("DC=", StringComparison.OrdinalIgnoreCase)).Select(p => p.Substring(3)));

        private static LdapConnection Connect(string? server, int port, DirectoryOptions options, bool isWindows)
        {
            var identifier = new LdapDirectoryIdentifier(server, port, fullyQualifiedDnsHostName: false, connectionless: false);
            var connection = new LdapConnection(identifier) { Timeout = options.Timeout };
            connection.SessionOptions.ProtocolVersion = 3;
            connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
            if (options.UseLdaps) connection.SessionOptions.SecureSocketLayer = true;
            if (options.Credential != null && !isWindows)
            {
                // OpenLDAP cannot hand explicit credentials to SASL GSSAPI: a simple bind, over LDAPS only (checked above).
                connection.AuthType = AuthType.Basic;
                connection.Credential = options.Credential;
            }
            else
            {
                connection.AuthType = AuthType.Negotiate;
                if (options.Credential != null) connection.Credential = options.Credential;
                // Windows: sign and seal the Negotiate session (what DCs that require LDAP signing demand). Cyrus SASL
                // GSSAPI on Linux negotiates integrity and confidentiality by itself and has no such switches.
                if (isWindows && !options.UseLdaps)
                {
                    connection.SessionOptions.Signing = true;
                    connection.SessionOptions.Sealing = true;
                }
            }
            return connection;
        }

        private static IEnumerable<DirectoryObject> Search(LdapConnection connection, string baseDn, string filter, SearchScope scope, string[] attributes,
            string shown, DirectoryOptions options, CancellationToken cancellation)
        {
            var results = new List<DirectoryObject>();
            var paging = new PageResultRequestControl(PageSize);
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                var request = new SearchRequest(baseDn, filter, scope, attributes);
                if (scope != SearchScope.Base) request.Controls.Add(paging);
                SearchResponse response;
                try { response = (SearchResponse)Run(() => connection.SendRequest(request), shown, options); }
                catch (PscException ex) when (ex.ErrorId == "DirectoryObjectMissing")
                {
                    return results; // no PKI container: no AD CS in this forest
                }
                foreach (SearchResultEntry entry in response.Entries)
                {
                    results.Add(new DirectoryObject(entry.DistinguishedName, entry.Attributes.AttributeNames.Cast<string>()
                        .Select(name => new KeyValuePair<string, IReadOnlyList<byte[]>>(name,
                            entry.Attributes[name].GetValues(typeof(byte[])).Cast<byte[]>().ToList()))));
                    if (results.Count > MaxObjects)
                        throw new PscException("DirectoryTooLarge", FailureCategory.InvalidData, $"{baseDn} holds more than {MaxObjects:N0} objects; discovery stopped.");
                }
                var cookie = response.Controls.OfType<PageResultResponseControl>().FirstOrDefault()?.Cookie;
                if (scope == SearchScope.Base || cookie == null || cookie.Length == 0) return results;
                paging.Cookie = cookie;
            }
        }

        /// <summary>Runs one LDAP call and turns its failure into an error that says what to do.</summary>
        private static T Run<T>(Func<T> call, string shown, DirectoryOptions options)
        {
            try { return call(); }
            catch (LdapException ex) { throw Translate(ex.ErrorCode, ex.ServerErrorMessage ?? ex.Message, ex, shown, options); }
            catch (DirectoryOperationException ex) { throw Translate((int)(ex.Response?.ResultCode ?? 0), ex.Response?.ErrorMessage ?? ex.Message, ex, shown, options); }
        }

        private static void Run(Action call, string shown, DirectoryOptions options) => Run(() => { call(); return 0; }, shown, options);

        /// <summary>LDAP result codes and SASL/GSSAPI failures, worded for the person running discovery.</summary>
        internal static PscException Translate(int code, string detail, Exception inner, string shown, DirectoryOptions options)
        {
            var text = detail ?? "";
            bool Says(string fragment) => text.IndexOf(fragment, StringComparison.OrdinalIgnoreCase) >= 0;
            if (options.Credential == null && (Says("No Kerberos credentials") || Says("No credentials cache") || Says("credentials cache")
                                               || Says("No credentials were supplied") || Says("krb5_cc")))
                return new PscException("KerberosTicketMissing", FailureCategory.PermissionDenied,
                    $"There is no Kerberos ticket to bind to {shown} with. Get one with 'kinit user@REALM' (or 'kinit -k -t FILE.keytab principal' for a service), " +
                    "point KRB5CCNAME at an existing ticket cache, or pass a credential (-Credential, or --user with --password-env) with LDAPS.", inner) { Target = shown };
            if (Says("not found in Kerberos database"))
                return new PscException("KerberosServiceUnknown", FailureCategory.PermissionDenied,
                    $"The KDC has no ldap/ principal for the name {shown} resolves to ({text}). Use the domain controller's DNS name; on Linux, reverse DNS of its address " +
                    "must give that name, or set 'SASL_NOCANON on' in ldap.conf.", inner) { Target = shown };
            switch (code)
            {
                case 49:
                    return new PscException("DirectoryAuthenticationFailed", FailureCategory.PermissionDenied,
                        $"{shown} did not accept the credentials{(options.Credential != null ? $" of '{options.Credential.UserName}'" : "")} (invalid credentials). " +
                        "Check the account name (user@domain) and its password; the password is not shown.", inner) { Target = shown };
                case 8:
                    return new PscException("DirectoryRequiresSigning", FailureCategory.SecurityError,
                        $"{shown} requires a signed or encrypted LDAP session. Bind with Kerberos (no credential) or use LDAPS (-UseLdaps / --ldaps).", inner) { Target = shown };
                case 32:
                    return new PscException("DirectoryObjectMissing", FailureCategory.ObjectNotFound, $"{shown}: {text}", inner) { Target = shown };
                case 50:
                    return new PscException("DirectoryAccessDenied", FailureCategory.PermissionDenied,
                        $"{shown} refused to let the account read the PKI configuration ({text}).", inner) { Target = shown };
                case 81 or 91:
                    return new PscException("DirectoryUnreachable", FailureCategory.ConnectionError,
                        $"{shown} could not be reached over LDAP{(options.UseLdaps ? "S" : "")} ({text}). Check the name and that TCP {(options.UseLdaps ? "636" : "389")} is open" +
                        (options.UseLdaps ? "; the domain controller's certificate must be trusted for its name (on Linux: TLS_CACERT in /etc/ldap/ldap.conf, or LDAPTLS_CACERT)." : "."), inner) { Target = shown };
                case 85:
                    return new PscException("DirectoryTimeout", FailureCategory.OperationTimeout,
                        $"{shown} did not answer within {options.Timeout.TotalSeconds:0} s.", inner) { Target = shown };
                case 82 or 92:
                    return new PscException("DirectoryBindFailed", FailureCategory.PermissionDenied,
                        $"Binding to {shown} failed ({text}). With Kerberos, check 'klist' shows a ticket for your account and that the clock is within five minutes of the DC's.", inner) { Target = shown };
                default:
                    return new PscException("DirectoryError", FailureCategory.InvalidOperation, $"{shown} answered LDAP error {code}: {text}", inner) { Target = shown };
            }
        }
    }
}
