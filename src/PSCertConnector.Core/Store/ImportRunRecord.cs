using System;

namespace PSCertConnector.Core.Store
{
    public sealed record ImportRunRecord
    {
        public long Id { get; init; }
        public string Connector { get; init; } = "";
        public ImportMode Mode { get; init; }
        public DateTimeOffset StartedAt { get; init; }
        public DateTimeOffset? FinishedAt { get; init; }
        public string? StartWatermark { get; init; }
        public string? EndWatermark { get; init; }
        public int Imported { get; init; }
        public int Updated { get; init; }
        public ImportRunStatus Status { get; init; }
        public string? Error { get; init; }
    }
}
