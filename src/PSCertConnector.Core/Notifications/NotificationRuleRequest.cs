using System.Collections.Generic;

namespace PSCertConnector.Core.Notifications
{
    /// <summary>What an administrator gives to create a rule; the operation checks it and keeps the secret protected.</summary>
    public sealed record NotificationRuleRequest
    {
        public string Name { get; init; } = "";
        public NotificationChannel Channel { get; init; }
        /// <summary>SMTP: host or host:port.</summary>
        public string? SmtpServer { get; init; }
        public string? From { get; init; }
        /// <summary>SMTP recipients.</summary>
        public IReadOnlyList<string> To { get; init; } = new string[0];
        public string? Username { get; init; }
        /// <summary>SMTP password (kept protected in the store).</summary>
        public string? Password { get; init; }
        /// <summary>auto (STARTTLS when offered), starttls, ssl or none.</summary>
        public string Tls { get; init; } = "auto";
        /// <summary>Webhook URL (kept protected: Slack and Teams URLs carry their token).</summary>
        public string? WebhookUrl { get; init; }
        /// <summary>The command line run with the notification as JSON on standard input.</summary>
        public string? Command { get; init; }
        public NotificationTriggers Triggers { get; init; } = new();
        public string? Connector { get; init; }
        public bool Digest { get; init; }
    }
}
