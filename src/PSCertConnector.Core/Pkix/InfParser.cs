using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// Reads the certreq.exe INF format ([NewRequest], [Extensions], [EnhancedKeyUsageExtension],
    /// [RequestAttributes]). Keys that only mean something to a Windows key store are honoured where they
    /// have a meaning here and otherwise reported in Notes: never silently dropped.
    /// </summary>
    public static class InfParser
    {
        private const string SanOid = "2.5.29.17";
        private const string EkuOid = "2.5.29.37";

        // certreq's named KeyUsage flags (CERT_*_KEY_USAGE) and their bit values.
        private static readonly Dictionary<string, int> KeyUsageNames = new(StringComparer.OrdinalIgnoreCase)
        {
            ["CERT_DIGITAL_SIGNATURE_KEY_USAGE"] = 0x80,
            ["CERT_NON_REPUDIATION_KEY_USAGE"] = 0x40,
            ["CERT_KEY_ENCIPHERMENT_KEY_USAGE"] = 0x20,
            ["CERT_DATA_ENCIPHERMENT_KEY_USAGE"] = 0x10,
            ["CERT_KEY_AGREEMENT_KEY_USAGE"] = 0x08,
            ["CERT_KEY_CERT_SIGN_KEY_USAGE"] = 0x04,
            ["CERT_OFFLINE_CRL_SIGN_KEY_USAGE"] = 0x02,
            ["CERT_CRL_SIGN_KEY_USAGE"] = 0x02,
            ["CERT_ENCIPHER_ONLY_KEY_USAGE"] = 0x01,
        };

        // Keys that configure the Windows key store or CryptoAPI and have no effect on the request here.
        private static readonly Dictionary<string, string> WindowsOnlyKeys = new(StringComparer.OrdinalIgnoreCase)
        {
            ["ProviderType"] = "selects a CryptoAPI provider type",
            ["UserProtected"] = "asks Windows to prompt before the key is used",
            ["UseExistingKeySet"] = "reuses a key already in the Windows key store",
            ["KeyContainer"] = "names a Windows key container",
            ["Silent"] = "suppresses certreq's dialogs",
            ["SMIME"] = "adds the Windows S/MIME capabilities extension",
            ["PrivateKeyArchive"] = "asks the CA to archive the key (that needs a CMC request)",
            ["KeyUsageProperty"] = "sets the Windows key usage property of the stored key",
            ["SecurityDescriptor"] = "sets the ACL of the Windows key",
            ["ExportableEncrypted"] = "lets Windows export the key encrypted only",
            ["SuppressDefaults"] = "drops certreq's default extensions",
            ["KeyProtection"] = "sets Windows key protection",
            ["UseSmartCard"] = "uses a smart card",
            ["ReaderName"] = "names a smart card reader",
            ["AlternateSignatureAlgorithm"] = "selects a PKCS#1 v2.1 signature",
            ["EncipherOnly"] = "restricts a CryptoAPI key to encryption",
        };

        public static InfParseResult Parse(string text)
        {
            var notes = new List<string>();
            var sections = ReadSections(text.TrimStart('\uFEFF'));
            if (!sections.ContainsKey("NewRequest"))
                throw Invalid("[NewRequest]", "the INF has no [NewRequest] section; certreq needs one with at least Subject");

            var spec = new RequestSpec();
            var sans = new List<SubjectAlternativeName>();
            var ekus = new List<string>();
            var extensions = new List<RawExtension>();
            var critical = new List<string>();
            var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int? keyLength = null;

            foreach (var (key, value, line) in sections["NewRequest"])
            {
                switch (key.ToLowerInvariant())
                {
                    case "subject": spec = spec with { Subject = value }; break;
                    case "keylength":
                        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var len) || len <= 0)
                            throw Invalid("KeyLength", $"line {line}: '{value}' is not a key length in bits (e.g. 2048)");
                        keyLength = len;
                        break;
                    case "keyalgorithm": spec = spec with { KeyAlgorithm = ParseKeyAlgorithm(value, line) }; break;
                    case "keyspec": spec = spec with { KeySpec = ParseKeySpec(value, line) }; break;
                    case "keyusage": spec = spec with { KeyUsage = ParseKeyUsage(value, line) }; break;
                    case "hashalgorithm": spec = spec with { HashAlgorithm = ParseHash(value, line) }; break;
                    case "exportable": spec = spec with { Exportable = ParseBool("Exportable", value, line) }; break;
                    case "machinekeyset": spec = spec with { MachineKeySet = ParseBool("MachineKeySet", value, line) }; break;
                    case "friendlyname": spec = spec with { FriendlyName = value }; break;
                    case "providername":
                        spec = spec with { ProviderName = value };
                        notes.Add($"ProviderName '{value}' is a Windows cryptographic provider: it is recorded in the request's enrollment CSP attribute as certreq does; the key itself is generated by PSCertConnector.");
                        break;
                    case "requesttype":
                        if (!value.Equals("PKCS10", StringComparison.OrdinalIgnoreCase))
                            throw Invalid("RequestType", $"line {line}: '{value}' is not supported; only PKCS10 requests can be built");
                        break;
                    default:
                        if (WindowsOnlyKeys.TryGetValue(key, out var meaning))
                            notes.Add($"{key} = {value} was ignored: it {meaning}, which has no effect on the request built here.");
                        else
                            notes.Add($"{key} = {value} (line {line}) is not a [NewRequest] key PSCertConnector knows; it was ignored.");
                        break;
                }
            }

            if (sections.TryGetValue("Extensions", out var extLines))
                ReadExtensions(extLines, sans, ekus, extensions, critical, notes);
            if (sections.TryGetValue("EnhancedKeyUsageExtension", out var ekuLines))
            {
                foreach (var (key, value, line) in ekuLines)
                {
                    if (!key.Equals("OID", StringComparison.OrdinalIgnoreCase))
                    {
                        notes.Add($"[EnhancedKeyUsageExtension] {key} (line {line}) was ignored: only OID = lines are read.");
                        continue;
                    }
                    if (!Oids.IsValid(value)) throw Invalid("[EnhancedKeyUsageExtension] OID", $"line {line}: '{value}' is not a dotted OID");
                    if (!ekus.Contains(value)) ekus.Add(value);
                }
            }
            if (sections.TryGetValue("RequestAttributes", out var attrLines))
            {
                foreach (var (key, value, _) in attrLines)
                {
                    if (key.Equals("CertificateTemplate", StringComparison.OrdinalIgnoreCase))
                        spec = spec with { CertificateTemplate = value };
                    attributes[key] = value;
                }
            }
            foreach (var name in sections.Keys)
            {
                if (name is "NewRequest" or "Extensions" or "EnhancedKeyUsageExtension" or "RequestAttributes" or "Version" or "Strings")
                    continue;
                notes.Add($"Section [{name}] is not read by PSCertConnector; it was ignored.");
            }

            if (string.IsNullOrWhiteSpace(spec.Subject) && sans.Count == 0)
                throw Invalid("Subject", "[NewRequest] has no Subject and [Extensions] no subject alternative name; the request would name nobody");
            if (spec.Subject.Length > 0) DistinguishedNames.Validate(spec.Subject, "Subject");

            int length = keyLength ?? KeyAlgorithms.DefaultLength(spec.KeyAlgorithm);
            if (spec.KeyAlgorithm != KeyAlgorithm.Rsa && keyLength.HasValue)
            {
                int expected = spec.KeyAlgorithm == KeyAlgorithm.EcdsaP256 ? 256 : 384;
                if (keyLength.Value != expected)
                    throw Invalid("KeyLength", $"{keyLength} does not match KeyAlgorithm {spec.KeyAlgorithm} (expected {expected})");
            }
            KeyFactory.ValidateKeyLength(spec.KeyAlgorithm, length);

            spec = spec with
            {
                KeyLength = length,
                SubjectAlternativeNames = sans,
                EnhancedKeyUsages = ekus,
                OtherExtensions = extensions,
                CriticalExtensions = critical,
                RequestAttributes = attributes,
            };
            return new InfParseResult(spec, notes);
        }

        private static void ReadExtensions(List<(string Key, string Value, int Line)> lines, List<SubjectAlternativeName> sans,
            List<string> ekus, List<RawExtension> extensions, List<string> critical, List<string> notes)
        {
            // Join _continue_ lines onto the OID line they continue.
            var joined = new List<(string Oid, string Value, int Line)>();
            foreach (var (key, value, line) in lines)
            {
                if (key.Equals("_continue_", StringComparison.OrdinalIgnoreCase))
                {
                    if (joined.Count == 0) throw Invalid("[Extensions] _continue_", $"line {line}: continues nothing");
                    var last = joined[joined.Count - 1];
                    joined[joined.Count - 1] = (last.Oid, last.Value + value, last.Line);
                }
                else joined.Add((key, value, line));
            }

            foreach (var (oid, value, line) in joined)
            {
                if (oid.Equals("Critical", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var c in value.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()))
                    {
                        if (!Oids.IsValid(c)) throw Invalid("[Extensions] Critical", $"line {line}: '{c}' is not a dotted OID");
                        critical.Add(c);
                    }
                    continue;
                }
                if (!Oids.IsValid(oid)) throw Invalid("[Extensions]", $"line {line}: '{oid}' is not a dotted OID");
                if (value.StartsWith("{text}", StringComparison.OrdinalIgnoreCase))
                {
                    var body = value.Substring(6);
                    if (oid == SanOid)
                    {
                        foreach (var part in body.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
                            sans.Add(SubjectAlternativeName.Parse(part.Trim()));
                    }
                    else if (oid == EkuOid)
                    {
                        foreach (var e in body.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()))
                        {
                            if (!Oids.IsValid(e)) throw Invalid("[Extensions] 2.5.29.37", $"line {line}: '{e}' is not a dotted OID");
                            if (!ekus.Contains(e)) ekus.Add(e);
                        }
                    }
                    else
                    {
                        notes.Add($"[Extensions] {oid} = {{text}} (line {line}) was ignored: the text form is read for 2.5.29.17 and 2.5.29.37 only; give other extensions as base64 DER.");
                    }
                    continue;
                }
                byte[] der;
                if (value.StartsWith("{hex}", StringComparison.OrdinalIgnoreCase))
                {
                    if (!Hex.TryDecode(value.Substring(5), out der)) throw Invalid($"[Extensions] {oid}", $"line {line}: the {{hex}} value is not hexadecimal");
                }
                else
                {
                    try { der = Convert.FromBase64String(value); }
                    catch (FormatException) { throw Invalid($"[Extensions] {oid}", $"line {line}: expected {{text}}, {{hex}} or base64 DER"); }
                }
                extensions.Add(new RawExtension(oid, false, der));
            }
        }

        /// <summary>Splits the INF into sections of (key, value, line number), stripping comments and quotes.</summary>
        private static Dictionary<string, List<(string Key, string Value, int Line)>> ReadSections(string text)
        {
            var sections = new Dictionary<string, List<(string, string, int)>>(StringComparer.OrdinalIgnoreCase);
            List<(string, string, int)>? current = null;
            var lines = text.Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                int lineNo = i + 1;
                var line = StripComment(lines[i]).Trim();
                if (line.Length == 0) continue;
                if (line.StartsWith("["))
                {
                    if (!line.EndsWith("]")) throw Invalid("section header", $"line {lineNo}: '{line}' is missing its closing ']'");
                    var name = line.Substring(1, line.Length - 2).Trim();
                    if (!sections.TryGetValue(name, out current))
                        sections[name] = current = new List<(string, string, int)>();
                    continue;
                }
                if (current == null) throw Invalid("INF", $"line {lineNo}: '{line}' appears before any [section]");
                int eq = line.IndexOf('=');
                if (eq <= 0) throw Invalid("INF", $"line {lineNo}: expected 'Key = Value' but found '{line}'");
                var key = line.Substring(0, eq).Trim();
                var value = Unquote(line.Substring(eq + 1).Trim(), lineNo);
                current.Add((key, value, lineNo));
            }
            return sections;
        }

        /// <summary>Removes ';' comments and ' //' remarks that stand outside quotes.</summary>
        private static string StripComment(string line)
        {
            bool inQuotes = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (c == '"') inQuotes = !inQuotes;
                else if (!inQuotes && c == ';') return line.Substring(0, i);
                else if (!inQuotes && c == '/' && i + 1 < line.Length && line[i + 1] == '/' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
                    return line.Substring(0, i);
            }
            return line;
        }

        private static string Unquote(string value, int line)
        {
            if (!value.StartsWith("\"")) return value;
            if (value.Length < 2 || !value.EndsWith("\""))
                throw Invalid("INF", $"line {line}: the value {value} has no closing quote");
            // certreq escapes a quote inside a quoted value by doubling it.
            return value.Substring(1, value.Length - 2).Replace("\"\"", "\"");
        }

        private static KeyAlgorithm ParseKeyAlgorithm(string value, int line) => value.ToUpperInvariant() switch
        {
            "RSA" => KeyAlgorithm.Rsa,
            "ECDSA_P256" or "ECDSA" or "ECC" or "P256" or "NISTP256" => KeyAlgorithm.EcdsaP256,
            "ECDSA_P384" or "P384" or "NISTP384" => KeyAlgorithm.EcdsaP384,
            _ => throw Invalid("KeyAlgorithm", $"line {line}: '{value}' is not supported; use RSA, ECDSA_P256 or ECDSA_P384"),
        };

        private static int ParseKeySpec(string value, int line) => value.ToUpperInvariant() switch
        {
            "1" or "AT_KEYEXCHANGE" => 1,
            "2" or "AT_SIGNATURE" => 2,
            "0" => 0,
            _ => throw Invalid("KeySpec", $"line {line}: '{value}' should be 1 (AT_KEYEXCHANGE) or 2 (AT_SIGNATURE)"),
        };

        internal static int ParseKeyUsage(string value, int line)
        {
            int result = 0;
            foreach (var raw in value.Split('|'))
            {
                var part = raw.Trim();
                if (part.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
                    int.TryParse(part.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
                    result |= hex;
                else if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dec))
                    result |= dec;
                else if (KeyUsageNames.TryGetValue(part, out var named))
                    result |= named;
                else
                    throw Invalid("KeyUsage", $"line {line}: '{part}' is neither a number such as 0xa0 nor a CERT_*_KEY_USAGE name");
            }
            if (result < 0 || result > 0xFFFF) throw Invalid("KeyUsage", $"line {line}: {value} is out of range");
            return result;
        }

        private static SignatureHash ParseHash(string value, int line) => value.Replace("-", "").ToUpperInvariant() switch
        {
            "SHA256" => SignatureHash.Sha256,
            "SHA384" => SignatureHash.Sha384,
            "SHA512" => SignatureHash.Sha512,
            "SHA1" => SignatureHash.Sha1,
            _ => throw Invalid("HashAlgorithm", $"line {line}: '{value}' is not supported; use sha256, sha384, sha512 or sha1"),
        };

        private static bool ParseBool(string key, string value, int line) => value.ToUpperInvariant() switch
        {
            "TRUE" or "1" or "YES" => true,
            "FALSE" or "0" or "NO" => false,
            _ => throw Invalid(key, $"line {line}: '{value}' should be TRUE or FALSE"),
        };

        private static PscException Invalid(string field, string why) =>
            new PscException("InvalidInf", FailureCategory.InvalidData, $"The certreq INF is not valid at {field}: {why}.");
    }
}
