using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Text;
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

        // The crypto library's own symbol table, so both paths name an attribute the same way.
        private static readonly Dictionary<string, string> Symbols =
            X509Name.DefaultSymbols.ToDictionary(p => p.Key.Id, p => p.Value, StringComparer.Ordinal);

        /// <summary>
        /// <see cref="Format(X509Name)"/> and <see cref="CommonName(X509Name)"/> of a Name's DER, read forward without building
        /// the crypto library's object tree (an import formats two names per certificate). The common shape (one attribute
        /// per RDN, a UTF8, Printable, IA5 or BMP string needing no escaping) is formatted here; anything else goes to the
        /// crypto library, so the text is the same either way.
        /// </summary>
        public static string FormatDer(ReadOnlyMemory<byte> nameDer, out string? commonName)
        {
            if (TryFormatSimple(nameDer, out var text, out commonName)) return text;
            var name = X509Name.GetInstance(Asn1Object.FromByteArray(nameDer.ToArray()));
            commonName = CommonName(name);
            return Format(name);
        }

        [ThreadStatic] private static string[]? _parts;
        [ThreadStatic] private static StringBuilder? _text;

        internal static bool TryFormatSimple(ReadOnlyMemory<byte> nameDer, out string text, out string? commonName)
        {
            text = "";
            commonName = null;
            try
            {
                var rdns = new AsnReader(nameDer, AsnEncodingRules.DER).ReadSequence();
                // Up to 16 RDNs in a per-thread array; deeper names are rare enough to take the other path.
                var parts = _parts ??= new string[32]; // symbol, value, symbol, value...
                int count = 0;
                while (rdns.HasData)
                {
                    if (count == parts.Length) return false;
                    var rdn = rdns.ReadSetOf();
                    var attribute = rdn.ReadSequence();
                    if (rdn.HasData) return false; // multi-valued RDN
                    var oid = attribute.ReadObjectIdentifier();
                    var tag = attribute.PeekTag();
                    if (tag.TagClass != TagClass.Universal || tag.IsConstructed) return false;
                    var kind = (UniversalTagNumber)tag.TagValue;
                    if (kind is not (UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String or UniversalTagNumber.BMPString))
                        return false;
                    var value = attribute.ReadCharacterString(kind);
                    if (attribute.HasData || NeedsEscaping(value) || !Symbols.TryGetValue(oid, out var symbol)) return false;
                    if (oid == "2.5.4.3") commonName = value;
                    parts[count++] = symbol;
                    parts[count++] = value;
                }
                if (count == 0) return true;
                var sb = (_text ??= new StringBuilder(256)).Clear();
                for (int i = count - 2; i >= 0; i -= 2)
                {
                    sb.Append(parts[i]).Append('=').Append(parts[i + 1]);
                    if (i > 0) sb.Append(',');
                }
                text = sb.ToString();
                Array.Clear(parts, 0, count);
                return true;
            }
            catch (AsnContentException) { return false; }
            catch (ArgumentException) { return false; }
        }

        private static bool NeedsEscaping(string value)
        {
            if (value.Length > 0 && value[0] == '#') return true;
            foreach (var ch in value)
                if (ch is ',' or '"' or '\\' or '+' or '=' or '<' or '>' or ';') return true;
            return false;
        }

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
