using System.Collections.Generic;

namespace PSCertConnector.Core.Operations
{
    /// <summary>What New-CaConnector -Discover / 'connector add --discover' makes of each CES endpoint.</summary>
    public sealed record DiscoveredConnectorOptions
    {
        /// <summary>Name prefix; default: the CA name made name-safe.</summary>
        public string? Prefix { get; init; }
        /// <summary>Only this CA (its name in AD); null takes every enterprise CA.</summary>
        public string? CaName { get; init; }
        /// <summary>The failover domain; default: the forest's DNS name.</summary>
        public string? Domain { get; init; }
        public string? BusinessUnit { get; init; }
        /// <summary>Settings added to every connector (caBundle, user, clientCertificate, timeoutSeconds …).</summary>
        public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
        /// <summary>The account for UsernamePassword endpoints, unless Settings names one ('user').</summary>
        public string? User { get; init; }
        /// <summary>The password for UsernamePassword endpoints, or a PFX's password.</summary>
        public byte[]? Secret { get; init; }
    }
}
