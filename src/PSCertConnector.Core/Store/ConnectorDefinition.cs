using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Store
{
    /// <summary>A configured CA connector. Secrets are never part of it: HasSecret only says one is stored.</summary>
    public sealed record ConnectorDefinition
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Type { get; init; } = "";
        public string? Domain { get; init; }
        public string? BusinessUnit { get; init; }
        public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
        /// <summary>1–10; when several connectors serve one domain, the lowest number is tried first.</summary>
        public int Priority { get; init; } = 5;
        public bool ImportEnabled { get; init; } = true;
        public int ImportEvery { get; init; } = 15;
        public ImportFrequencyUnit ImportEveryUnit { get; init; } = ImportFrequencyUnit.Minutes;
        public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
        public bool HasSecret { get; init; }
        /// <summary>True when an account for the connector's proxy is stored (never shown).</summary>
        public bool HasProxyCredential { get; init; }
        public string? ImportWatermark { get; init; }
        public DateTimeOffset? LastImportAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        /// <summary>How the latest import run ended (Running while one is under way); null before the first.</summary>
        public ImportRunStatus? LastImportStatus { get; init; }

        /// <summary>When the import is due next by its frequency: at once before the first, else one interval after the last; null when import is off.</summary>
        public DateTimeOffset? NextImportAt => !ImportEnabled ? null : LastImportAt is { } last ? last + ImportInterval : CreatedAt;

        public TimeSpan ImportInterval => ImportEveryUnit switch
        {
            ImportFrequencyUnit.Hours => TimeSpan.FromHours(ImportEvery),
            ImportFrequencyUnit.Weeks => TimeSpan.FromDays(7 * ImportEvery),
            _ => TimeSpan.FromMinutes(ImportEvery),
        };
    }
}
