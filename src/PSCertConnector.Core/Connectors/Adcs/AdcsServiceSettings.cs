using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Adcs
{
    /// <summary>
    /// The settings shared by the AD CS HTTPS connectors (CEP/CES and /certsrv), read and checked in one place.
    /// The secret is the password (or "user\npassword" from a PSCredential), or the client PFX's password.
    /// </summary>
    internal sealed class AdcsServiceSettings
    {
        public static readonly IReadOnlyDictionary<string, string> Common = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["host"] = "Host name of the service, as its TLS certificate names it (e.g. ces01.contoso.com).",
            ["port"] = "HTTPS port (default 443).",
            ["authentication"] = "UsernamePassword (default), Certificate (TLS client certificate) or Kerberos (HTTP Negotiate through SSPI/GSSAPI).",
            ["user"] = "Account for UsernamePassword or Kerberos: CONTOSO\\svc-pki or svc-pki@contoso.com. The password is the connector's secret.",
            ["clientCertificate"] = "PFX file of the TLS client certificate for Certificate authentication; its password is the connector's secret.",
            ["clientCertificateThumbprint"] = "Thumbprint of a client certificate with its key in the CurrentUser or LocalMachine 'My' store (instead of clientCertificate).",
            ["caBundle"] = "PEM file of CA certificates trusted for the server's TLS certificate, in addition to the system's (for a private PKI or the Lab server).",
            ["pinnedThumbprint"] = "SHA-1 or SHA-256 thumbprint of the server's TLS certificate to accept whatever its chain.",
            ["timeoutSeconds"] = "Seconds to wait for an answer before trying the next service (default 60).",
            ["maxResponseKiB"] = "Largest response read, in KiB (default 16384).",
            ["labAdmin"] = "true when the service is a PSCertConnector Lab server: approve and deny then go to its admin endpoint.",
        };

        public string Connector { get; private set; } = "";
        public string? Host { get; private set; }
        public int Port { get; private set; } = 443;
        public AdcsAuthentication Authentication { get; private set; } = AdcsAuthentication.UsernamePassword;
        public string? User { get; private set; }
        public string? ClientCertificatePath { get; private set; }
        public string? ClientCertificateThumbprint { get; private set; }
        public string? CaBundlePath { get; private set; }
        public string? PinnedThumbprint { get; private set; }
        public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(60);
        public long MaxResponseBytes { get; private set; } = 16L * 1024 * 1024;
        public bool LabAdmin { get; private set; }
        public IReadOnlyDictionary<string, string> All { get; private set; } = new Dictionary<string, string>();

        /// <summary>https://host:port/ — the base every derived endpoint starts from.</summary>
        public Uri BaseUri => new UriBuilder(Uri.UriSchemeHttps, Host ?? "localhost", Port).Uri;

        public string? Get(string key) => All.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

        /// <summary>Reads and checks the settings; throws a clear InvalidSetting/UnknownSetting error naming the field.</summary>
        public static AdcsServiceSettings Parse(ConnectorDefinition definition, string typeName, IReadOnlyDictionary<string, string> known, bool hostRequired)
        {
            var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in definition.Settings) all[pair.Key] = pair.Value?.Trim() ?? "";
            foreach (var key in all.Keys)
                if (!known.ContainsKey(key))
                    throw new PscException("UnknownSetting", FailureCategory.InvalidArgument,
                        $"The setting '{key}' does not apply to an '{typeName}' connector. Known settings: {string.Join(", ", known.Keys)}.") { Target = key };
            var s = new AdcsServiceSettings { Connector = definition.Name, All = all };
            s.Host = s.Get("host");
            if (s.Host != null && Uri.CheckHostName(s.Host) == UriHostNameType.Unknown)
                throw Invalid("host", s.Host, "a host name such as ces01.contoso.com (no scheme, no path)");
            if (s.Host == null && hostRequired)
                throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                    $"An '{typeName}' connector needs the setting 'host' (the service's host name, e.g. --setting host=ces01.contoso.com).") { Target = "host" };
            if (s.Get("port") is { } port)
                s.Port = int.TryParse(port, out var p) && p is > 0 and < 65536 ? p : throw Invalid("port", port, "a TCP port from 1 to 65535");
            if (s.Get("authentication") is { } auth)
                s.Authentication = auth.ToLowerInvariant() switch
                {
                    "usernamepassword" or "username" or "password" or "basic" => AdcsAuthentication.UsernamePassword,
                    "certificate" or "clientcertificate" => AdcsAuthentication.Certificate,
                    "kerberos" or "negotiate" or "windows" or "integrated" => AdcsAuthentication.Kerberos,
                    _ => throw Invalid("authentication", auth, "UsernamePassword, Certificate or Kerberos"),
                };
            s.User = s.Get("user");
            s.ClientCertificatePath = s.Get("clientCertificate");
            s.ClientCertificateThumbprint = s.Get("clientCertificateThumbprint") is { } tp ? Hex.NormalizeThumbprint(tp) : null;
            if (s.Authentication == AdcsAuthentication.Certificate && s.ClientCertificatePath == null && s.ClientCertificateThumbprint == null)
                throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                    "Certificate authentication needs the setting 'clientCertificate' (a PFX file) or 'clientCertificateThumbprint'.") { Target = "clientCertificate" };
            if (s.ClientCertificatePath != null && !File.Exists(s.ClientCertificatePath))
                throw Invalid("clientCertificate", s.ClientCertificatePath, "an existing PFX file");
            if (s.Authentication == AdcsAuthentication.UsernamePassword && s.User == null)
                throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                    "UsernamePassword authentication needs the setting 'user' (e.g. --setting user=CONTOSO\\svc-pki) and the password as the connector's secret.") { Target = "user" };
            s.CaBundlePath = s.Get("caBundle");
            if (s.CaBundlePath != null) ReadBundle(s.CaBundlePath);
            s.PinnedThumbprint = s.Get("pinnedThumbprint") is { } pin ? Hex.NormalizeThumbprint(pin) : null;
            if (s.PinnedThumbprint != null && s.PinnedThumbprint.Length is not (40 or 64))
                throw Invalid("pinnedThumbprint", s.PinnedThumbprint, "a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint");
            if (s.Get("timeoutSeconds") is { } t)
                s.Timeout = int.TryParse(t, out var seconds) && seconds is >= 1 and <= 3600 ? TimeSpan.FromSeconds(seconds) : throw Invalid("timeoutSeconds", t, "a whole number of seconds from 1 to 3600");
            if (s.Get("maxResponseKiB") is { } max)
                s.MaxResponseBytes = int.TryParse(max, out var kib) && kib is >= 16 and <= 1024 * 1024 ? kib * 1024L : throw Invalid("maxResponseKiB", max, "a number of KiB from 16 to 1048576");
            if (s.Get("labAdmin") is { } lab)
                s.LabAdmin = bool.TryParse(lab, out var flag) ? flag : throw Invalid("labAdmin", lab, "true or false");
            return s;
        }

        public static PscException Invalid(string key, string value, string expected) =>
            new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"The setting {key} '{value}' is not valid: expected {expected}.") { Target = key };

        /// <summary>The user name and password from the connector's secret ("password", or "user\npassword" from a PSCredential).</summary>
        public NetworkCredential? Credential(byte[]? secret)
        {
            if (secret == null) return null;
            var text = Encoding.UTF8.GetString(secret);
            var newline = text.IndexOf('\n');
            var user = newline >= 0 ? text.Substring(0, newline) : User ?? "";
            var password = newline >= 0 ? text.Substring(newline + 1) : text;
            var backslash = user.IndexOf('\\');
            return backslash > 0
                ? new NetworkCredential(user.Substring(backslash + 1), password, user.Substring(0, backslash))
                : new NetworkCredential(user, password);
        }

        /// <summary>The user name as the service expects it back (DOMAIN\user when a domain was given).</summary>
        public static string QualifiedName(NetworkCredential credential) =>
            string.IsNullOrEmpty(credential.Domain) ? credential.UserName : credential.Domain + "\\" + credential.UserName;

        public HttpServiceOptions HttpOptions(byte[]? secret)
        {
            var options = new HttpServiceOptions
            {
                Connector = Connector,
                Timeout = Timeout,
                MaxResponseBytes = MaxResponseBytes,
                PinnedThumbprint = PinnedThumbprint,
                TrustedCas = CaBundlePath == null ? Array.Empty<X509Certificate2>() : ReadBundle(CaBundlePath),
            };
            switch (Authentication)
            {
                case AdcsAuthentication.Certificate:
                    options = options with { ClientCertificate = LoadClientCertificate(secret) };
                    break;
                case AdcsAuthentication.Kerberos:
                    var credential = Credential(secret);
                    options = credential != null && credential.Password.Length > 0
                        ? options with { NegotiateCredentials = credential, ServiceBase = BaseUri }
                        : options with { UseDefaultCredentials = true };
                    break;
            }
            return options;
        }

        private X509Certificate2 LoadClientCertificate(byte[]? secret)
        {
            if (ClientCertificatePath != null)
            {
                var password = Credential(secret)?.Password; // a PSCredential's password, or the plain secret
                try
                {
                    var cert = new X509Certificate2(File.ReadAllBytes(ClientCertificatePath), password, X509KeyStorageFlags.DefaultKeySet);
                    if (!cert.HasPrivateKey) throw Invalid("clientCertificate", ClientCertificatePath, "a PFX that holds the certificate's private key");
                    return cert;
                }
                catch (CryptographicException)
                {
                    throw new PscException("ClientCertificateUnreadable", FailureCategory.InvalidData,
                        $"The client certificate '{ClientCertificatePath}' could not be opened: the PFX is damaged or the connector's secret is not its password.") { Target = ClientCertificatePath };
                }
            }
            foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                try
                {
                    using var store = new X509Store(StoreName.My, location);
                    store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                    var found = store.Certificates.Find(X509FindType.FindByThumbprint, ClientCertificateThumbprint!, validOnly: false);
                    foreach (var cert in found)
                        if (cert.HasPrivateKey) return cert;
                }
                catch (CryptographicException) { } // the LocalMachine store does not exist for this user on some platforms
            }
            throw new PscException("ClientCertificateNotFound", FailureCategory.ObjectNotFound,
                $"No certificate with thumbprint {ClientCertificateThumbprint} and a private key is in the CurrentUser or LocalMachine 'My' store.") { Target = ClientCertificateThumbprint };
        }

        public static X509Certificate2[] ReadBundle(string path)
        {
            if (!File.Exists(path)) throw Invalid("caBundle", path, "an existing PEM file of CA certificates");
            var certificates = Pem.DecodeAll(File.ReadAllText(path), "CA bundle " + path)
                .Where(b => b.Label == "CERTIFICATE").Select(b => new X509Certificate2(b.Der)).ToArray();
            if (certificates.Length == 0) throw Invalid("caBundle", path, "a PEM file holding at least one '-----BEGIN CERTIFICATE-----' block");
            return certificates;
        }
    }
}
