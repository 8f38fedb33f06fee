using System.Collections.Generic;
using PSCertConnector.Core.Notifications;

namespace PSCertConnector.Core.Configuration
{
    /// <summary>A notification rule as configuration; its SMTP password or webhook URL by reference.</summary>
    public sealed record NotificationRuleEntry
    {
        public string Name { get; init; } = "";
        public NotificationChannel Channel { get; init; }
        public string? SmtpServer { get; init; }
        public string? From { get; init; }
        public IReadOnlyList<string> To { get; init; } = new string[0];
        public string? Username { get; init; }
        public string? Tls { get; init; }
        public string? Command { get; init; }
        public NotificationTriggers Triggers { get; init; } = new();
        public string? Connector { get; init; }
        public bool Digest { get; init; }
        /// <summary>The SMTP password, or the webhook URL.</summary>
        public SecretReference? Secret { get; init; }
    }
}
