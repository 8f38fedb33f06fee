using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Connectors.Adcs;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Active Directory discovery: list enterprise CAs and create CES connectors from what AD publishes.</summary>
    public sealed class DiscoveryOperations : OperationBase
    {
        private const int ActivityId = 41;

        public DiscoveryOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>Writes each enterprise CA (with its endpoints and published templates); warnings name skipped objects.</summary>
        public void Find(DirectoryOptions options, string? caName = null)
        {
            ForItem(options.Server, () =>
            {
                var found = Discover(options);
                foreach (var service in Select(found, caName)) Sink.WriteObject(service);
            });
        }

        /// <summary>The certificate templates in AD (only those the named CA publishes, when one is named).</summary>
        public void FindTemplates(DirectoryOptions options, string? caName = null)
        {
            ForItem(options.Server, () =>
            {
                var found = Discover(options);
                var published = caName == null ? null
                    : new HashSet<string>(Select(found, caName).SelectMany(s => s.Templates), StringComparer.OrdinalIgnoreCase);
                foreach (var template in found.Templates.Where(t => published == null || published.Contains(t.Name))) Sink.WriteObject(template);
            });
        }

        /// <summary>
        /// One adcs-ces connector per CES endpoint, with the priority AD gives it, in one failover domain; each
        /// connector's template cache is filled from AD (approval flag included) with the templates its CA publishes.
        /// </summary>
        public void CreateConnectors(DirectoryOptions options, DiscoveredConnectorOptions create)
        {
            AdDiscovery? found = null;
            if (!ForItem(options.Server, () => found = Discover(options)) || found == null) return;
            var cas = Select(found, create.CaName).ToList();
            if (cas.Count == 0)
            {
                Sink.WriteError(new PscError("EnrollmentServiceNotFound", FailureCategory.ObjectNotFound,
                    create.CaName == null ? $"The forest {found.Forest} publishes no enterprise CA." : $"The forest {found.Forest} has no enterprise CA named '{create.CaName}'.", create.CaName));
                return;
            }
            var now = DateTimeOffset.UtcNow;
            var shared = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in create.Settings) shared[pair.Key] = pair.Value;
            if (create.User != null && !shared.ContainsKey("user")) shared["user"] = create.User;
            create = create with { Settings = shared };
            foreach (var ca in cas)
            {
                var usable = ca.Endpoints.Where(e => !e.RenewalOnly).ToList();
                foreach (var skipped in ca.Endpoints.Where(e => e.RenewalOnly))
                    Sink.WriteVerbose($"{ca.Name}: {skipped.Uri} only renews certificates; no connector is made for it.");
                if (usable.Count == 0)
                    Sink.WriteWarning($"Enterprise CA '{ca.Name}' publishes no CES endpoint for new requests (msPKI-Enrollment-Servers); use adcs-web or adcs-dcom with config {ca.Config}.");
                var prefix = create.Prefix ?? NameSafe(ca.Name);
                foreach (var endpoint in usable)
                {
                    var name = $"{prefix}-{endpoint.Authentication.ToLowerInvariant()}-{endpoint.Priority}";
                    if (WhyNot(endpoint, create) is { } reason)
                    {
                        Sink.WriteWarning($"No connector for {endpoint.Uri}: {reason}");
                        continue;
                    }
                    var uri = new Uri(endpoint.Uri);
                    var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var pair in create.Settings) settings[pair.Key] = pair.Value;
                    settings["host"] = uri.Host;
                    settings["caName"] = ca.Name;
                    settings["cesUrl"] = endpoint.Uri;
                    settings["authentication"] = endpoint.Authentication;
                    if (!uri.IsDefaultPort) settings["port"] = uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var definition = new ConnectorDefinition
                    {
                        Name = name,
                        Type = CesConnector.TypeName,
                        Domain = create.Domain ?? found.Forest,
                        Priority = Math.Max(1, Math.Min(10, endpoint.Priority)),
                        BusinessUnit = create.BusinessUnit,
                        Settings = settings,
                    };
                    // Kerberos endpoints enroll as the current identity (the logon session, or the ticket cache): nothing to configure
                    // on a domain member. A user given for UsernamePassword endpoints is not carried over to them.
                    var kerberos = endpoint.Authentication == "Kerberos";
                    if (kerberos) settings.Remove("user");
                    var existed = Workspace.Store.GetConnector(name) != null;
                    new ConnectorOperations(Workspace, Sink).Add(definition, kerberos ? null : create.Secret);
                    var added = existed ? null : Workspace.Store.GetConnector(name);
                    if (added == null) continue;
                    var published = new HashSet<string>(ca.Templates, StringComparer.OrdinalIgnoreCase);
                    Workspace.Store.ReplacePolicy(added, found.Templates.Where(t => published.Contains(t.Name)), ca.Endpoints, now);
                }
            }
        }

        private AdDiscovery Discover(DirectoryOptions options)
        {
            var found = AdcsDirectory.Discover(options, Sink.Cancellation,
                status => Sink.WriteProgress(new ProgressInfo(ActivityId, "Active Directory discovery", status, -1)));
            Sink.WriteProgress(new ProgressInfo(ActivityId, "Active Directory discovery", "Done", 100, Completed: true));
            foreach (var warning in found.Warnings) Sink.WriteWarning(warning);
            Sink.WriteVerbose($"{found.Server}: {found.EnrollmentServices.Count} enterprise CA(s) and {found.Templates.Count} template(s) in {found.Forest}.");
            return found;
        }

        private static IEnumerable<AdEnrollmentService> Select(AdDiscovery found, string? caName) =>
            found.EnrollmentServices.Where(s => caName == null || string.Equals(s.Name, caName, StringComparison.OrdinalIgnoreCase));

        /// <summary>Why an endpoint cannot become a working connector with what was given, or null.</summary>
        private static string? WhyNot(EnrollmentService endpoint, DiscoveredConnectorOptions create)
        {
            bool Has(string setting) => create.Settings.ContainsKey(setting);
            return endpoint.Authentication switch
            {
                "Kerberos" => null,
                "UsernamePassword" when !Has("user") || create.Secret == null =>
                    "it takes a user name and password: give -Credential (CLI: --setting user=… with --secret-env).",
                "UsernamePassword" => null,
                "Certificate" when !Has("clientCertificate") && !Has("clientCertificateThumbprint") =>
                    "it takes a TLS client certificate: give the clientCertificate (PFX) or clientCertificateThumbprint setting.",
                "Certificate" => null,
                var other => $"its authentication '{other}' is not one PSCertConnector enrolls with.",
            };
        }

        private static string NameSafe(string caName)
        {
            var safe = Regex.Replace(caName, "[^A-Za-z0-9._-]+", "-").Trim('-', '.', '_');
            if (safe.Length == 0) safe = "ca";
            return safe.Length > 40 ? safe.Substring(0, 40).TrimEnd('-', '.', '_') : safe;
        }
    }
}
