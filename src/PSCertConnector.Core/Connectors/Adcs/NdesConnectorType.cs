using System;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Adcs
{
    /// <summary>
    /// AD CS's Network Device Enrollment Service: SCEP at /certsrv/mscep/mscep.dll, with a one-time challenge password
    /// fetched for each request from /certsrv/mscep_admin/ under the connector's account (as Intune's connector does).
    /// </summary>
    internal sealed class NdesConnectorType : AdcsHttpConnectorType
    {
        public const string TypeName = "adcs-ndes";

        public override string Name => TypeName;
        public override string Description => "AD CS NDES (SCEP over HTTPS): enroll with a one-time challenge from mscep_admin, poll pending requests, CA certificates.";

        public override System.Collections.Generic.IReadOnlyDictionary<string, string> Settings { get; } = With(
            ("caName", "The CA's name, for display and failover grouping (optional)."),
            ("path", "Path of the SCEP endpoint (default /certsrv/mscep/mscep.dll)."),
            ("adminPath", "Path of the challenge password page (default /certsrv/mscep_admin/); 'none' when NDES enforces no password."),
            ("caFingerprint", "SHA-256 fingerprint (64 hex digits) of the CA certificate NDES must return (optional over HTTPS)."),
            ("template", "The template name orders record (default SCEP): NDES issues with the templates in its registry."));

        protected override bool HostRequired(ConnectorDefinition definition) => true;

        /// <summary>A path on the connector's host: never a URL, which would send the account elsewhere.</summary>
        private static string? RequirePath(AdcsServiceSettings settings, string key) =>
            settings.Get(key) is not { } path ? null
            : path.StartsWith("/", StringComparison.Ordinal) && !path.StartsWith("//", StringComparison.Ordinal) && !path.Contains("://")
                ? path : throw HttpsServiceSettings.Invalid(key, path, "a path on the host, starting with / (the host is the 'host' setting)");

        internal override ICaConnector Create(AdcsHttpChannel channel, ConnectorSecrets secrets)
        {
            var settings = channel.Settings;
            var endpoint = new Uri(settings.BaseUri, RequirePath(settings, "path") ?? "/certsrv/mscep/mscep.dll");
            bool noChallenge = string.Equals(settings.Get("adminPath"), "none", StringComparison.OrdinalIgnoreCase);
            var adminPath = noChallenge ? "" : RequirePath(settings, "adminPath") ?? "/certsrv/mscep_admin/";
            Func<System.Threading.CancellationToken, string?> challenge = noChallenge
                ? _ => null
                : cancellation => NdesChallengePage.Read(channel.Get(new Uri(settings.BaseUri, adminPath), "NDES challenge page (mscep_admin)", cancellation), settings.Connector);
            return new ScepConnector(Name, channel, endpoint, challenge, secrets.RequesterKey, ScepConnector.ReadFingerprint(settings.Get("caFingerprint")), null, settings.Get("template"));
        }
    }
}
