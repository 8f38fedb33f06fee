using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>What a CA puts into a certificate beyond the request: the template's policy and the CA's URLs.</summary>
    public sealed record IssuancePolicy
    {
        public byte[] SerialNumber { get; init; } = Array.Empty<byte>();
        public DateTimeOffset NotBefore { get; init; }
        public DateTimeOffset NotAfter { get; init; }
        public int KeyUsage { get; init; }
        public IReadOnlyList<string> EnhancedKeyUsages { get; init; } = Array.Empty<string>();
        public bool IsCa { get; init; }
        public int? PathLength { get; init; }
        public IReadOnlyList<string> CrlDistributionPoints { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> CaIssuerUrls { get; init; } = Array.Empty<string>();
        public string? TemplateName { get; init; }
        public SignatureHash Hash { get; init; } = SignatureHash.Sha256;
        /// <summary>Overrides the subject of the request (templates that build the subject from the directory).</summary>
        public string? Subject { get; init; }
    }
}
