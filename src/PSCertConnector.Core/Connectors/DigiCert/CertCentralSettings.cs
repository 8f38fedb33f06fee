using System;
using System.Collections.Generic;
using System.Globalization;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    internal sealed class CertCentralSettings : HttpsServiceSettings
    {
        public static readonly IReadOnlyDictionary<string, string> Known = WithTransport(
            ("url", "The CertCentral address: https://www.digicert.com (default) or https://certcentral.digicert.eu."),
            ("organizationId", "The CertCentral organization id that OV/EV orders are placed for."),
            ("validityYears", "Order validity in years (default 1)."),
            ("skipApproval", "true to ask CertCentral to skip the approval step of orders and revocations (needs an administrator's API key)."),
            ("approveRevocations", "true to approve our own revocation requests at once (PUT request/{id}/status; needs an administrator's API key)."),
            ("importSinceDays", "How far back the first import looks for status changes, in days (default 90)."));

        public Uri ApiBase { get; private set; } = new Uri("https://www.digicert.com/services/v2/");
        public int? OrganizationId { get; private set; }
        public int ValidityYears { get; private set; } = 1;
        public bool SkipApproval { get; private set; }
        public bool ApproveRevocations { get; private set; }
        public int ImportSinceDays { get; private set; } = 90;

        public static CertCentralSettings Parse(ConnectorDefinition definition)
        {
            var s = new CertCentralSettings();
            s.ReadTransport(definition, CertCentralConnector.TypeName, Known);
            var url = s.Get("url") ?? "https://www.digicert.com";
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(parsed.Query))
                throw Invalid("url", url, "an https:// address such as https://www.digicert.com");
            s.Host = parsed.Host;
            s.Port = parsed.Port;
            s.ApiBase = new Uri(parsed.GetLeftPart(UriPartial.Authority) + parsed.AbsolutePath.TrimEnd('/') + "/services/v2/");
            if (s.Get("organizationId") is { } org)
                s.OrganizationId = int.TryParse(org, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : throw Invalid("organizationId", org, "a positive number (CertCentral → Organizations)");
            if (s.Get("validityYears") is { } years)
                s.ValidityYears = int.TryParse(years, out var y) && y is >= 1 and <= 6 ? y : throw Invalid("validityYears", years, "1 to 6");
            s.SkipApproval = Flag(s, "skipApproval");
            s.ApproveRevocations = Flag(s, "approveRevocations");
            if (s.Get("importSinceDays") is { } since)
                s.ImportSinceDays = int.TryParse(since, out var d) && d is >= 1 and <= 3650 ? d : throw Invalid("importSinceDays", since, "1 to 3650 days");
            return s;
        }

        private static bool Flag(CertCentralSettings s, string key) =>
            s.Get(key) is { } text ? bool.TryParse(text, out var flag) ? flag : throw Invalid(key, text, "true or false") : false;
    }
}
