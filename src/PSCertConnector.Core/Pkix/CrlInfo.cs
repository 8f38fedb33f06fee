using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
    public sealed record CrlInfo
    {
        public string Issuer { get; init; } = "";
        public DateTimeOffset ThisUpdate { get; init; }
        public DateTimeOffset? NextUpdate { get; init; }
        public string? CrlNumber { get; init; }
        public IReadOnlyList<CrlEntry> Entries { get; init; } = Array.Empty<CrlEntry>();
        public bool? SignatureValid { get; init; }
    }
}
