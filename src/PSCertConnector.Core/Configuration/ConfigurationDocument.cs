using System.Collections.Generic;

namespace PSCertConnector.Core.Configuration
{
    /// <summary>
    /// Connectors (with their import and renewal settings) and notification rules as one JSON document, for
    /// configuration as code: exported from one host, kept in source control, imported on others. Never a secret.
    /// </summary>
    public sealed record ConfigurationDocument
    {
        public const int CurrentVersion = 1;
        public int Version { get; init; } = CurrentVersion;
        public IReadOnlyList<ConnectorEntry> Connectors { get; init; } = new ConnectorEntry[0];
        public IReadOnlyList<NotificationRuleEntry> NotificationRules { get; init; } = new NotificationRuleEntry[0];
    }
}
