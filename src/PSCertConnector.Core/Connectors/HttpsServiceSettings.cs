using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>
    /// What every HTTPS connector (AD CS web services, DigiCert) configures the same way: where the service is,
    /// how its TLS certificate is trusted, the client certificate, the timeout and the response limit. Each
    /// connector type adds its own settings; all of them are read and checked here, once.
    /// </summary>
    internal abstract class HttpsServiceSettings
    {
        public static readonly IReadOnlyDictionary<string, string> Transport = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["clientCertificate"] = "PFX file of the TLS client certificate for Certificate authentication; its password is the connector's secret.",
            ["clientCertificateThumbprint"] = "Thumbprint of a client certificate with its key in the CurrentUser or LocalMachine 'My' store (instead of clientCertificate).",
            ["caBundle"] = "PEM file of CA certificates trusted for the server's TLS certificate, in addition to the system's (for a private PKI or the Lab server).",
            ["pinnedThumbprint"] = "SHA-1 or SHA-256 thumbprint of the server's TLS certificate to accept whatever its chain.",
            ["timeoutSeconds"] = "Seconds to wait for an answer before giving up (and trying the next service, where there is one) (default 60).",
            ["maxResponseKiB"] = "Largest response read, in KiB (default 16384).",
            [ProxyRoute.ProxySetting] = "'system' (the default: the https_proxy/all_proxy and no_proxy variables, or the Windows proxy setting), 'none', or the proxy's URL (http://proxy.contoso.com:8080); its account is the connector's proxy credential.",
            [ProxyRoute.BypassSetting] = "Hosts reached without the proxy, comma-separated: names, domains (.contoso.com), IP addresses, networks (10.0.0.0/8) or <local>.",
        };

        /// <summary>The transport settings plus a type's own, for its Settings list.</summary>
        public static IReadOnlyDictionary<string, string> WithTransport(params (string Key, string Text)[] own)
        {
            var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, text) in own) all[key] = text;
            foreach (var pair in Transport) all[pair.Key] = pair.Value;
            return all;
        }

        public string Connector { get; protected set; } = "";
        public string TypeName { get; protected set; } = "";
        public string? Host { get; protected set; }
        public int Port { get; protected set; } = 443;
        public string? ClientCertificatePath { get; protected set; }
        public string? ClientCertificateThumbprint { get; protected set; }
        public string? CaBundlePath { get; protected set; }
        public string? PinnedThumbprint { get; protected set; }
        public TimeSpan Timeout { get; protected set; } = TimeSpan.FromSeconds(60);
        public long MaxResponseBytes { get; protected set; } = 16L * 1024 * 1024;
        public IReadOnlyDictionary<string, string> All { get; protected set; } = new Dictionary<string, string>();

        /// <summary>https://host:port/ — the base every derived endpoint starts from.</summary>
        public Uri BaseUri => new UriBuilder(Uri.UriSchemeHttps, Host ?? "localhost", Port).Uri;

        public string? Get(string key) => All.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

        /// <summary>Reads the settings every HTTPS connector shares; unknown names are refused.</summary>
        protected void ReadTransport(ConnectorDefinition definition, string typeName, IReadOnlyDictionary<string, string> known)
        {
            var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in definition.Settings) all[pair.Key] = pair.Value?.Trim() ?? "";
            ConnectorSettings.RejectUnknown(typeName, known, all.Keys);
            Connector = definition.Name;
            TypeName = typeName;
            All = all;
            ClientCertificatePath = Get("clientCertificate");
            ClientCertificateThumbprint = Get("clientCertificateThumbprint") is { } tp ? Hex.NormalizeThumbprint(tp) : null;
            if (ClientCertificatePath != null && !File.Exists(ClientCertificatePath))
                throw Invalid("clientCertificate", ClientCertificatePath, "an existing PFX file");
            CaBundlePath = Get("caBundle");
            if (CaBundlePath != null) ReadBundle(CaBundlePath);
            PinnedThumbprint = Get("pinnedThumbprint") is { } pin ? Hex.NormalizeThumbprint(pin) : null;
            if (PinnedThumbprint != null && PinnedThumbprint.Length is not (40 or 64))
                throw Invalid("pinnedThumbprint", PinnedThumbprint, "a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint");
            if (Get("timeoutSeconds") is { } t)
                Timeout = int.TryParse(t, out var seconds) && seconds is >= 1 and <= 3600 ? TimeSpan.FromSeconds(seconds) : throw Invalid("timeoutSeconds", t, "a whole number of seconds from 1 to 3600");
            if (Get("maxResponseKiB") is { } max)
                MaxResponseBytes = int.TryParse(max, out var kib) && kib is >= 16 and <= 1024 * 1024 ? kib * 1024L : throw Invalid("maxResponseKiB", max, "a number of KiB from 16 to 1048576");
            ProxyRoute.Validate(Get(ProxyRoute.ProxySetting), Get(ProxyRoute.BypassSetting));
        }

        /// <summary>The route to the service: the connector's proxy settings with its proxy credential, else the system's proxy.</summary>
        public ProxyRoute Proxy(NetworkCredential? credential) =>
            ProxyRoute.Resolve(Get(ProxyRoute.ProxySetting), Get(ProxyRoute.BypassSetting), credential, Environment.GetEnvironmentVariable);

        /// <summary>Host and port from the host/port settings.</summary>
        protected void ReadHost(bool required)
        {
            Host = Get("host");
            if (Host != null && Uri.CheckHostName(Host) == UriHostNameType.Unknown)
                throw Invalid("host", Host, "a host name such as ces01.contoso.com (no scheme, no path)");
            if (Host == null && required)
                throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                    $"A '{TypeName}' connector needs the setting 'host' (the service's host name, e.g. {UserText.Setting("host", "ces01.contoso.com")}).") { Target = "host" };
            if (Get("port") is { } port)
                Port = int.TryParse(port, out var p) && p is > 0 and < 65536 ? p : throw Invalid("port", port, "a TCP port from 1 to 65535");
        }

        protected void RequireClientCertificateSetting()
        {
            if (ClientCertificatePath == null && ClientCertificateThumbprint == null)
                throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                    "Certificate authentication needs the setting 'clientCertificate' (a PFX file) or 'clientCertificateThumbprint'.") { Target = "clientCertificate" };
        }

        public static PscException Invalid(string key, string value, string expected) =>
            new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"The setting {key} '{value}' is not valid: expected {expected}.") { Target = key };

        /// <summary>Trust, timeout, limit and proxy for the HTTP stack; the caller adds its identity.</summary>
        public HttpServiceOptions TransportOptions(NetworkCredential? proxyCredential) => new HttpServiceOptions
        {
            Proxy = Proxy(proxyCredential),
            Connector = Connector,
            Timeout = Timeout,
            MaxResponseBytes = MaxResponseBytes,
            PinnedThumbprint = PinnedThumbprint,
            TrustedCas = CaBundlePath == null ? Array.Empty<X509Certificate2>() : ReadBundle(CaBundlePath),
        };

        /// <summary>The client certificate with its key, from the PFX (password given) or the store by thumbprint.</summary>
        public X509Certificate2 LoadClientCertificate(string? pfxPassword)
        {
            if (ClientCertificatePath != null)
            {
                try
                {
                    var cert = new X509Certificate2(File.ReadAllBytes(ClientCertificatePath), pfxPassword, X509KeyStorageFlags.DefaultKeySet);
                    if (!cert.HasPrivateKey)
                        throw new PscException("ClientCertificateWithoutKey", FailureCategory.InvalidData,
                            $"The client certificate '{ClientCertificatePath}' holds no private key: export it again with its key (PFX with the private key).") { Target = ClientCertificatePath };
                    return cert;
                }
                catch (CryptographicException)
                {
                    throw new PscException("ClientCertificateUnreadable", FailureCategory.InvalidData,
                        $"The client certificate '{ClientCertificatePath}' could not be opened: the PFX is damaged or the connector's secret is not its password.") { Target = ClientCertificatePath };
                }
            }
            bool foundWithoutKey = false;
            foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                try
                {
                    using var store = new X509Store(StoreName.My, location);
                    store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                    foreach (var cert in store.Certificates.Find(X509FindType.FindByThumbprint, ClientCertificateThumbprint!, validOnly: false))
                    {
                        if (cert.HasPrivateKey) return cert;
                        foundWithoutKey = true;
                    }
                }
                catch (CryptographicException) { } // the LocalMachine store does not exist for this user on some platforms
            }
            throw foundWithoutKey
                ? new PscException("ClientCertificateWithoutKey", FailureCategory.InvalidData,
                    $"The certificate with thumbprint {ClientCertificateThumbprint} is in the store but without its private key: install it with its key (Install-RaCertificate).") { Target = ClientCertificateThumbprint }
                : new PscException("ClientCertificateNotFound", FailureCategory.ObjectNotFound,
                    $"No certificate with thumbprint {ClientCertificateThumbprint} is in the CurrentUser or LocalMachine 'My' store.") { Target = ClientCertificateThumbprint };
        }

        public static X509Certificate2[] ReadBundle(string path)
        {
            if (!File.Exists(path)) throw Invalid("caBundle", path, "an existing PEM file of CA certificates");
            var certificates = Pem.Certificates(File.ReadAllText(path), "CA bundle " + path).Select(der => new X509Certificate2(der)).ToArray();
            if (certificates.Length == 0) throw Invalid("caBundle", path, "a PEM file holding at least one '-----BEGIN CERTIFICATE-----' block");
            return certificates;
        }
    }
}
