using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Notifications
{
    /// <summary>What a rule is told about. Each expiry threshold is sent once per certificate.</summary>
    public sealed record NotificationTriggers
    {
        /// <summary>Days before expiry (e.g. 30, 14, 7, 1): one message per threshold a certificate crosses.</summary>
        public IReadOnlyList<int> ExpiringDays { get; init; } = Array.Empty<int>();
        /// <summary>A request pending CA-manager approval for longer than this many hours.</summary>
        public int? PendingOlderThanHours { get; init; }
        public bool Issued { get; init; }
        public bool Denied { get; init; }
        public bool ImportFailed { get; init; }
        /// <summary>An embedded CA's CRL whose next update is within this many hours (its republication failed).</summary>
        public int? CrlWithinHours { get; init; }

        public bool Any => ExpiringDays.Count > 0 || PendingOlderThanHours.HasValue || Issued || Denied || ImportFailed || CrlWithinHours.HasValue;

        public override string ToString()
        {
            var parts = new List<string>();
            if (ExpiringDays.Count > 0) parts.Add("expiring " + string.Join("/", ExpiringDays) + " d");
            if (PendingOlderThanHours is int h) parts.Add($"pending > {h} h");
            if (Issued) parts.Add("issued");
            if (Denied) parts.Add("denied");
            if (ImportFailed) parts.Add("import failed");
            if (CrlWithinHours is int c) parts.Add($"CRL within {c} h");
            return string.Join(", ", parts);
        }
    }
}
