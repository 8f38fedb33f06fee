using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
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
}
