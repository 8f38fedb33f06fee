using System.Collections.Generic;
using System.Net;
using System.Text;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Adcs
{
    /// <summary>
    /// The settings shared by the AD CS HTTPS connectors (CEP/CES and /certsrv), read and checked in one place.
    /// The secret is the password (or "user\npassword" from a PSCredential), or the client PFX's password.
    /// </summary>
    internal sealed class AdcsServiceSettings : HttpsServiceSettings
    {
        public static readonly IReadOnlyDictionary<string, string> Common = WithTransport(
            ("host", "Host name of the service, as its TLS certificate names it (e.g. ces01.contoso.com)."),
            ("port", "HTTPS port (default 443)."),
            ("authentication", "UsernamePassword (default), Certificate (TLS client certificate) or Kerberos (HTTP Negotiate through SSPI/GSSAPI)."),
            ("user", "Account for UsernamePassword or Kerberos: CONTOSO\\svc-pki or svc-pki@contoso.com. The password is the connector's secret."));

        public AdcsAuthentication Authentication { get; private set; } = AdcsAuthentication.UsernamePassword;
        public string? User { get; private set; }

        /// <summary>Reads and checks the settings; throws a clear InvalidSetting/UnknownSetting error naming the field.</summary>
        public static AdcsServiceSettings Parse(ConnectorDefinition definition, string typeName, IReadOnlyDictionary<string, string> known, bool hostRequired)
        {
            var s = new AdcsServiceSettings();
            s.ReadTransport(definition, typeName, known);
            s.ReadHost(hostRequired);
            if (s.Get("authentication") is { } auth)
                s.Authentication = auth.ToLowerInvariant() switch
                {
                    "usernamepassword" or "username" or "password" or "basic" => AdcsAuthentication.UsernamePassword,
                    "certificate" or "clientcertificate" => AdcsAuthentication.Certificate,
                    "kerberos" or "negotiate" or "windows" or "integrated" => AdcsAuthentication.Kerberos,
                    _ => throw Invalid("authentication", auth, "UsernamePassword, Certificate or Kerberos"),
                };
            s.User = s.Get("user");
            if (s.Authentication == AdcsAuthentication.Certificate) s.RequireClientCertificateSetting();
            if (s.Authentication == AdcsAuthentication.UsernamePassword && s.User == null)
                throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                    (UserText.Face == UserFace.PowerShell ? "UsernamePassword authentication needs an account: give -Credential (CONTOSO\\svc-pki and its password), or -Setting @{ user = 'CONTOSO\\svc-pki' } with the password as the connector's " : "UsernamePassword authentication needs the setting 'user' (e.g. --setting user=CONTOSO\\svc-pki) and the password as the connector's ") + "secret.") { Target = "user" };
            return s;
        }

        /// <summary>The user name and password from the connector's secret ("password", or "user\npassword" from a PSCredential).</summary>
        public NetworkCredential? Credential(byte[]? secret) => secret == null ? null : ConnectorSecrets.AccountOf(secret, User);

        public HttpServiceOptions HttpOptions(ConnectorSecrets secrets)
        {
            var secret = secrets.Secret;
            var options = TransportOptions(secrets.ProxyCredential);
            switch (Authentication)
            {
                case AdcsAuthentication.Certificate:
                    options = options with { ClientCertificate = LoadClientCertificate(Credential(secret)?.Password) }; // a PSCredential's password, or the plain secret
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
    }
}
