using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    internal sealed class DigiCertOneSettings : HttpsServiceSettings
    {
        public static readonly IReadOnlyDictionary<string, string> Known = WithTransport(
            ("url", "The DigiCert ONE address, e.g. https://one.digicert.com (API key) or https://clientauth.one.digicert.com (client certificate)."),
            ("authentication", "ApiKey (default: the connector's secret is the API key) or Certificate (TLS client certificate; the secret is the PFX password)."),
            ("validityDays", "Validity asked for in days (default: the profile's)."),
            ("tags", "Comma-separated tags sent with each request."));

        public Uri ApiBase { get; private set; } = new Uri("https://one.digicert.com/mpki/api/v1/");
        public bool UseClientCertificate { get; private set; }
        public int? ValidityDays { get; private set; }
        public IReadOnlyList<string> Tags { get; private set; } = Array.Empty<string>();

        public static DigiCertOneSettings Parse(ConnectorDefinition definition)
        {
            var s = new DigiCertOneSettings();
            s.ReadTransport(definition, DigiCertOneConnector.TypeName, Known);
            var url = s.Get("url") ?? throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                $"A 'digicert-one' connector needs the setting 'url' (e.g. {UserText.Setting("url", "https://one.digicert.com")}).") { Target = "url" };
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(parsed.Query))
                throw Invalid("url", url, "an https:// address such as https://one.digicert.com");
            s.Host = parsed.Host;
            s.Port = parsed.Port;
            // The API lives under /mpki/api/v1 of the address given (trailing slashes are harmless).
            s.ApiBase = new Uri(parsed.GetLeftPart(UriPartial.Authority) + parsed.AbsolutePath.TrimEnd('/') + "/mpki/api/v1/");
            if (s.Get("authentication") is { } auth)
                s.UseClientCertificate = auth.ToLowerInvariant() switch
                {
                    "apikey" or "api-key" or "key" => false,
                    "certificate" or "clientcertificate" => true,
                    _ => throw Invalid("authentication", auth, "ApiKey or Certificate"),
                };
            if (s.UseClientCertificate) s.RequireClientCertificateSetting();
            if (s.Get("validityDays") is { } days)
                s.ValidityDays = int.TryParse(days, out var d) && d is >= 1 and <= 3650 ? d : throw Invalid("validityDays", days, "a whole number of days from 1 to 3650");
            s.Tags = (s.Get("tags") ?? "").Split(',').Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
            return s;
        }
    }
}
