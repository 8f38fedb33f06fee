using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
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
}
