using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
    public enum KeyAlgorithm { Rsa, EcdsaP256, EcdsaP384 }

    public static class KeyAlgorithms
    {
        /// <summary>The key length certreq uses when none is given: 2048 for RSA, the curve's size for ECDSA.</summary>
        public static int DefaultLength(KeyAlgorithm algorithm) => algorithm switch
        {
            KeyAlgorithm.EcdsaP256 => 256,
            KeyAlgorithm.EcdsaP384 => 384,
            _ => 2048,
        };

        /// <summary>The key lengths an algorithm takes: RSA's sizes, or the one size of the curve.</summary>
        public static int[] ValidLengths(KeyAlgorithm algorithm) => algorithm switch
        {
            KeyAlgorithm.EcdsaP256 => new[] { 256 },
            KeyAlgorithm.EcdsaP384 => new[] { 384 },
            _ => new[] { 2048, 3072, 4096 },
        };
    }

    public enum SignatureHash { Sha256, Sha384, Sha512, Sha1 }

    public enum SanType { Dns, IpAddress, Email, Upn, Uri, OtherName }

    /// <summary>A subject alternative name. OtherName values are "oid;hex-of-DER-value".</summary>
    public sealed record SubjectAlternativeName(SanType Type, string Value)
    {
        public override string ToString() => $"{TypeText(Type)}={Value}";

        public static string TypeText(SanType type) => type switch
        {
            SanType.Dns => "dns",
            SanType.IpAddress => "ipaddress",
            SanType.Email => "email",
            SanType.Upn => "upn",
            SanType.Uri => "url",
            SanType.OtherName => "othername",
            _ => type.ToString().ToLowerInvariant(),
        };

        /// <summary>Parses certreq's "dns=www.contoso.com" (also "ip=", "uri=", "rfc822=").</summary>
        public static SubjectAlternativeName Parse(string text)
        {
            int eq = text.IndexOf('=');
            if (eq <= 0 || eq == text.Length - 1)
                throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The subject alternative name '{text}' should look like 'dns=www.contoso.com' (types: dns, ipaddress, email, upn, url, othername).");
            var kind = text.Substring(0, eq).Trim().ToLowerInvariant();
            var value = text.Substring(eq + 1).Trim();
            SanType type = kind switch
            {
                "dns" => SanType.Dns,
                "ip" or "ipaddress" => SanType.IpAddress,
                "email" or "rfc822" or "rfc822name" => SanType.Email,
                "upn" => SanType.Upn,
                "url" or "uri" => SanType.Uri,
                "othername" => SanType.OtherName,
                _ => throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The subject alternative name type '{kind}' is not known; use dns, ipaddress, email, upn, url or othername."),
            };
            if (type == SanType.IpAddress && !System.Net.IPAddress.TryParse(value, out _))
                throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The IP address '{value}' in a subject alternative name is not a valid IPv4 or IPv6 address.");
            if (type == SanType.OtherName && !OtherNameValue.IsValid(value))
                throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The other name '{value}' should be '<oid>;<hex of the DER value>', e.g. '1.3.6.1.4.1.311.25.1;0410...'.");
            return new SubjectAlternativeName(type, value);
        }
    }

    internal static class OtherNameValue
    {
        public static bool IsValid(string value)
        {
            var parts = value.Split(new[] { ';' }, 2);
            return parts.Length == 2 && Oids.IsValid(parts[0]) && Hex.TryDecode(parts[1], out var der) && der.Length > 0;
        }
    }

    /// <summary>Everything a PKCS#10 request is built from: the certreq INF keys, or the cmdlet's parameters.</summary>
    public sealed record RequestSpec
    {
        public string Subject { get; init; } = "";
        public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.Rsa;
        public int KeyLength { get; init; } = 2048;
        /// <summary>1 = AT_KEYEXCHANGE, 2 = AT_SIGNATURE (CryptoAPI); recorded in the CSP attribute.</summary>
        public int KeySpec { get; init; } = 1;
        /// <summary>X509KeyUsageFlags; 0 means no key usage extension is requested.</summary>
        public int KeyUsage { get; init; }
        public bool KeyUsageCritical { get; init; } = true;
        public IReadOnlyList<string> EnhancedKeyUsages { get; init; } = Array.Empty<string>();
        public IReadOnlyList<SubjectAlternativeName> SubjectAlternativeNames { get; init; } = Array.Empty<SubjectAlternativeName>();
        public SignatureHash HashAlgorithm { get; init; } = SignatureHash.Sha256;
        public bool Exportable { get; init; }
        public bool MachineKeySet { get; init; }
        public string? FriendlyName { get; init; }
        public string? CertificateTemplate { get; init; }
        public string? ProviderName { get; init; }
        /// <summary>Name/value pairs sent as enrollment attributes (certreq [RequestAttributes]).</summary>
        public IReadOnlyDictionary<string, string> RequestAttributes { get; init; } = new Dictionary<string, string>();
        /// <summary>Other requested extensions: OID → (critical, DER value).</summary>
        public IReadOnlyList<RawExtension> OtherExtensions { get; init; } = Array.Empty<RawExtension>();
        public IReadOnlyList<string> CriticalExtensions { get; init; } = Array.Empty<string>();
    }

    public sealed record RawExtension(string Oid, bool Critical, byte[] Value);

    /// <summary>The result of reading a certreq INF: the request and what was noted on the way.</summary>
    public sealed record InfParseResult(RequestSpec Spec, IReadOnlyList<string> Notes);

    /// <summary>A parsed, signature-checked PKCS#10 request.</summary>
    public sealed record CsrInfo
    {
        public string Subject { get; init; } = "";
        public string? CommonName { get; init; }
        public KeyAlgorithm KeyAlgorithm { get; init; }
        public int KeySize { get; init; }
        /// <summary>Hex SHA-256 of the SubjectPublicKeyInfo: pairs a request's key with its certificate.</summary>
        public string PublicKeyId { get; init; } = "";
        public IReadOnlyList<SubjectAlternativeName> SubjectAlternativeNames { get; init; } = Array.Empty<SubjectAlternativeName>();
        public IReadOnlyList<string> EnhancedKeyUsages { get; init; } = Array.Empty<string>();
        public int? KeyUsage { get; init; }
        public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
        /// <summary>The template named by the request's template-name extension (1.3.6.1.4.1.311.20.2), as certmonger sends it.</summary>
        public string? TemplateName { get; init; }
        /// <summary>The template OID of the request's template-information extension (1.3.6.1.4.1.311.21.7).</summary>
        public string? TemplateOid { get; init; }
        /// <summary>The template the request itself asks for, as AD CS reads it: the CertificateTemplate attribute, the name extension, the OID extension.</summary>
        public string? RequestedTemplate =>
            (Attributes.TryGetValue("CertificateTemplate", out var attribute) && !string.IsNullOrWhiteSpace(attribute) ? attribute.Trim() : null)
            ?? TemplateName ?? TemplateOid;
        /// <summary>DER SubjectPublicKeyInfo of the requested key.</summary>
        public byte[] PublicKeyInfo { get; init; } = Array.Empty<byte>();
        public byte[] Der { get; init; } = Array.Empty<byte>();
    }

    public sealed record CrlEntry(string SerialNumber, DateTimeOffset RevokedAt, Connectors.RevocationReason? Reason);

    public sealed record CrlInfo
    {
        public string Issuer { get; init; } = "";
        public DateTimeOffset ThisUpdate { get; init; }
        public DateTimeOffset? NextUpdate { get; init; }
        public string? CrlNumber { get; init; }
        public IReadOnlyList<CrlEntry> Entries { get; init; } = Array.Empty<CrlEntry>();
        public bool? SignatureValid { get; init; }
    }

    /// <summary>What the inventory keeps about a certificate, read from its DER.</summary>
    public sealed record CertificateDetails
    {
        public string Subject { get; init; } = "";
        public string? CommonName { get; init; }
        public string Issuer { get; init; } = "";
        /// <summary>Hex SHA-256 of the issuer name's DER: with the serial, the certificate's identity.</summary>
        public string IssuerKey { get; init; } = "";
        public string SerialNumber { get; init; } = "";
        public string ThumbprintSha1 { get; init; } = "";
        public string ThumbprintSha256 { get; init; } = "";
        public DateTimeOffset NotBefore { get; init; }
        public DateTimeOffset NotAfter { get; init; }
        public IReadOnlyList<SubjectAlternativeName> SubjectAlternativeNames { get; init; } = Array.Empty<SubjectAlternativeName>();
        public IReadOnlyList<string> EnhancedKeyUsages { get; init; } = Array.Empty<string>();
        public string? Template { get; init; }
        public string PublicKeyId { get; init; } = "";
        public bool IsCa { get; init; }
    }
}
