using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
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
