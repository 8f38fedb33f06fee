using System;
using System.Collections.Generic;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    public sealed record ImportOptions
    {
        public ImportMode Mode { get; init; } = ImportMode.Incremental;
        /// <summary>Overrides the connector's business unit for what this run imports.</summary>
        public string? BusinessUnit { get; init; }
        /// <summary>Added to the connector's tags for what this run imports.</summary>
        public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
        public int BatchSize { get; init; } = 500;
        /// <summary>Fields that replace the connector's import selection for this run; null keeps the connector's.</summary>
        public ImportSelection? Selection { get; init; }
        /// <summary>Stops a connector that never ends its paging.</summary>
        public int MaxPages { get; init; } = 1_000_000;
    }
}
