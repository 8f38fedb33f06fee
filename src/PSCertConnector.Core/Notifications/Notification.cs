using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Notifications
{
    /// <summary>One thing to tell: a certificate crossing an expiry threshold, an order waiting, an import that failed.</summary>
    public sealed record Notification
    {
        public NotificationKind Kind { get; init; }
        /// <summary>What makes it once-only, e.g. "expiring:7:THUMBPRINT" or "pending:42"; a rule sends each subject once.</summary>
        public string Subject { get; init; } = "";
        public string Title { get; init; } = "";
        public string Text { get; init; } = "";
        public string? Connector { get; init; }
        /// <summary>The certificate's thumbprint, the order id, the import run id.</summary>
        public string? Target { get; init; }
        public DateTimeOffset? ExpiresAt { get; init; }
        /// <summary>Subjects recorded as sent with this one: expiry thresholds a certificate had already passed when first seen.</summary>
        public IReadOnlyList<string> AlsoCovers { get; init; } = Array.Empty<string>();
    }
}
