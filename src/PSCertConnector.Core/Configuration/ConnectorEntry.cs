using System.Collections.Generic;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Configuration
{
    /// <summary>A connector as configuration: what New-CaConnector takes, its secret by reference.</summary>
    public sealed record ConnectorEntry
    {
        public string Name { get; init; } = "";
        public string Type { get; init; } = "";
        public string? Domain { get; init; }
        public string? BusinessUnit { get; init; }
        public IReadOnlyList<string> Tags { get; init; } = new string[0];
        public int Priority { get; init; } = 5;
        public bool ImportEnabled { get; init; } = true;
        public int ImportEvery { get; init; } = 15;
        public ImportFrequencyUnit ImportEveryUnit { get; init; } = ImportFrequencyUnit.Minutes;
        /// <summary>Transport, import and renewal settings (renewBeforeDays, renewAtPercent, autoRenew).</summary>
        public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
        public SecretReference? Secret { get; init; }
        /// <summary>The account of the connector's proxy (its password is ProxySecret); null when the proxy asks for none.</summary>
        public string? ProxyUser { get; init; }
        /// <summary>The proxy account's password, by reference (given by name as 'NAME:proxy').</summary>
        public SecretReference? ProxySecret { get; init; }
    }
}
