using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>Distinguished names in the Windows/LDAP order users type ("CN=ra01,O=Contoso").</summary>
    internal static class DistinguishedNames
    {
        // Windows spells state "S"; the crypto library knows it as "ST".
        private static readonly Regex WindowsState = new Regex(@"(^|,)\s*S\s*=", RegexOptions.Compiled | RegexOptions.IgnoreCase);

        /// <summary>
        /// Encodes like certreq: the string lists the most specific part first, the DER holds it last.
        /// </summary>
        public static X509Name Parse(string dn, string field)
        {
            if (string.IsNullOrWhiteSpace(dn)) return new X509Name(new List<DerObjectIdentifier>(), new List<string>());
            try
            {
                return new X509Name(true, WindowsState.Replace(dn, "$1ST="));
            }
            // A value starting with '#' is read as hex DER; BouncyCastle refuses bad ones with IOException or a bare Exception ("can't recode value").
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or IndexOutOfRangeException
                                       or System.IO.IOException || ex.GetType() == typeof(Exception))
            {
                throw new PscException("InvalidDistinguishedName", FailureCategory.InvalidArgument,
                    $"The {field} '{DisplayText.Escape(dn, 100)}' is not a distinguished name such as 'CN=ra01,O=Contoso,C=US' ({DisplayText.Escape(ex.Message.TrimEnd('.'), 160)}).", ex);
            }
        }

        public static void Validate(string dn, string field) => Parse(dn, field);

        public static string Format(X509Name name) => name.ToString(true, X509Name.DefaultSymbols);

        public static string? CommonName(X509Name name)
        {
            var values = name.GetValueList(X509Name.CN);
            return values.Count > 0 ? values[values.Count - 1]?.ToString() : null;
        }

        /// <summary>The CN of a DN string, or null when it has none (or is empty).</summary>
        public static string? CommonNameOf(string dn) => string.IsNullOrWhiteSpace(dn) ? null : CommonName(Parse(dn, "subject"));

        /// <summary>A value made safe to put after "CN=" (RFC 4514 special characters escaped).</summary>
        public static string Escape(string value) => Regex.Replace(value, @"([,+""\\<>;=])", @"\$1");
    }
}
