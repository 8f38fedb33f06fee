using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Notifications
{
    /// <summary>A notification rule: what to tell, whom, and how. The secret (SMTP password, webhook URL) is never part of it.</summary>
    public sealed record NotificationRule
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public NotificationChannel Channel { get; init; }
        /// <summary>Safe to show: the SMTP server (host:port), the webhook's scheme and host (its URL is a secret), or the command.</summary>
        public string Target { get; init; } = "";
        public NotificationTriggers Triggers { get; init; } = new();
        /// <summary>Only this connector's certificates and orders; null for all.</summary>
        public string? Connector { get; init; }
        /// <summary>One message per pass with everything due, instead of one per item.</summary>
        public bool Digest { get; init; }
        /// <summary>Channel settings: from, to (comma-separated), username, tls (auto, starttls, ssl, none) for SMTP.</summary>
        public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
        public bool HasSecret { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }
}
