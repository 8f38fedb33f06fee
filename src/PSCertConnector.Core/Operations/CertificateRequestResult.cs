using System;
using System.Collections.Generic;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Operations
{
    /// <summary>A built certificate request; its private key stays protected in the inventory until the certificate arrives.</summary>
    public sealed record CertificateRequestResult
    {
        public string KeyId { get; init; } = "";
        public string Subject { get; init; } = "";
        public string? CommonName { get; init; }
        public KeyAlgorithm KeyAlgorithm { get; init; }
        public int KeyLength { get; init; }
        public string? Template { get; init; }
        public IReadOnlyDictionary<string, string> RequestAttributes { get; init; } = new Dictionary<string, string>();
        public byte[] Csr { get; init; } = Array.Empty<byte>();
        public string CsrPem { get; init; } = "";
        public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
    }
}
