using System;
using System.Net;
using System.Text;

namespace PSCertConnector.Core.Store
{
    /// <summary>
    /// A connector's secrets in plain form, for opening its transport only: its own (password, API key or PFX password)
    /// and the account of the proxy it goes through ("user" and "password" on two lines, as a PSCredential is stored).
    /// </summary>
    public sealed record ConnectorSecrets(byte[]? Secret, byte[]? ProxySecret = null)
    {
        public static readonly ConnectorSecrets None = new ConnectorSecrets(null, null);

        /// <summary>
        /// The kept private key of a request this host made, by public key id (null when none is kept): SCEP signs a
        /// request with it and the CA encrypts its answer to it. Unset for connectors opened outside a workspace.
        /// </summary>
        public Func<string, Pkix.AsymmetricKey?>? RequesterKey { get; init; }

        public NetworkCredential? ProxyCredential => ProxySecret == null ? null : AccountOf(ProxySecret, null);

        /// <summary>An account as it is stored: "user\npassword".</summary>
        public static byte[] EncodeAccount(string user, string password) => Encoding.UTF8.GetBytes(user + "\n" + password);

        /// <summary>An account's user as it was given, and as services expect it back: DOMAIN\user when it has a domain.</summary>
        public static string UserOf(NetworkCredential account) => string.IsNullOrEmpty(account.Domain) ? account.UserName : account.Domain + "\\" + account.UserName;

        /// <summary>
        /// An account from a stored secret: "user\npassword" (a credential), or just the password with
        /// <paramref name="defaultUser"/>; "DOMAIN\user" gives the domain.
        /// </summary>
        public static NetworkCredential AccountOf(byte[] secret, string? defaultUser)
        {
            var text = Encoding.UTF8.GetString(secret);
            var newline = text.IndexOf('\n');
            var user = newline >= 0 ? text.Substring(0, newline) : defaultUser ?? "";
            var password = newline >= 0 ? text.Substring(newline + 1) : text;
            var backslash = user.IndexOf('\\');
            return backslash > 0
                ? new NetworkCredential(user.Substring(backslash + 1), password, user.Substring(0, backslash))
                : new NetworkCredential(user, password);
        }
    }
}
