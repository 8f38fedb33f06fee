using System.Collections.Generic;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Changes to a connector; null leaves a field as it is.</summary>
    public sealed record ConnectorChanges
    {
        public string? NewName { get; init; }
        public string? Domain { get; init; }
        public string? BusinessUnit { get; init; }
        public IReadOnlyList<string>? Tags { get; init; }
        public int? Priority { get; init; }
        public bool? ImportEnabled { get; init; }
        public int? ImportEvery { get; init; }
        public ImportFrequencyUnit? ImportEveryUnit { get; init; }
        /// <summary>Settings to set; an empty value removes the setting.</summary>
        public IReadOnlyDictionary<string, string>? Settings { get; init; }
        /// <summary>A new account for the connector's proxy ("user\npassword"); null keeps the stored one.</summary>
        public byte[]? ProxySecret { get; init; }
        /// <summary>Forget the stored proxy account (the proxy needs none any more).</summary>
        public bool ClearProxySecret { get; init; }
    }
}
