using System;
using System.Collections.Generic;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Scep
{
    /// <summary>The settings of a 'scep' connector, read and checked once: the endpoint, how its CA is trusted, the template it issues with.</summary>
    internal sealed class ScepSettings : HttpsServiceSettings
    {
        public static readonly IReadOnlyDictionary<string, string> Known = WithTransport(
            ("url", "The SCEP endpoint, http:// or https:// (e.g. http://scep.contoso.com/scep, https://ndes01.contoso.com/certsrv/mscep/mscep.dll)."),
            ("caFingerprint", "SHA-256 fingerprint (64 hex digits) of the CA certificate GetCACert must return; required for an http:// url."),
            ("caIdentifier", "The CA identifier sent with GetCACert and GetCACaps, for servers that serve several CAs (optional)."),
            ("template", "The template name orders record for this server's certificates (default SCEP); the server itself decides what it issues."));

        public Uri Endpoint { get; private set; } = new Uri("http://localhost/");
        public string? CaFingerprint { get; private set; }
        public string? CaIdentifier { get; private set; }

        public static ScepSettings Parse(ConnectorDefinition definition, string typeName)
        {
            var s = new ScepSettings();
            s.ReadTransport(definition, typeName, Known);
            var url = s.Get("url") ?? throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                $"A '{typeName}' connector needs the setting 'url' (the SCEP endpoint, e.g. {UserText.Setting("url", "http://scep.contoso.com/scep")}).") { Target = "url" };
            if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps) || endpoint.Query.Length > 0)
                throw Invalid("url", url, "an absolute http:// or https:// URL without a query");
            s.Endpoint = endpoint;
            s.Host = endpoint.Host;
            s.Port = endpoint.Port;
            s.CaFingerprint = ScepConnector.ReadFingerprint(s.Get("caFingerprint"));
            if (endpoint.Scheme == Uri.UriSchemeHttp && s.CaFingerprint == null)
                throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                    $"Over plain HTTP nothing vouches for the CA certificate the server returns: give the setting 'caFingerprint' (its SHA-256, e.g. from " +
                    "'openssl x509 -in ca.pem -noout -fingerprint -sha256'), or use an https:// url.") { Target = "caFingerprint" };
            s.CaIdentifier = s.Get("caIdentifier");
            return s;
        }
    }
}
