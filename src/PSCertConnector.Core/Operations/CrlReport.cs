using System;
using System.Collections.Generic;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Operations
{
    public sealed record CrlReport
    {
        public string Connector { get; init; } = "";
        public string Issuer { get; init; } = "";
        public string? CrlNumber { get; init; }
        public DateTimeOffset ThisUpdate { get; init; }
        public DateTimeOffset? NextUpdate { get; init; }
        public IReadOnlyList<CrlEntry> Entries { get; init; } = Array.Empty<CrlEntry>();
        public bool? SignatureValid { get; init; }
        public byte[] Der { get; init; } = Array.Empty<byte>();
    }
}
