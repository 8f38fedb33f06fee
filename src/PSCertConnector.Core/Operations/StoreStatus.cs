using System;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Where the inventory lives and what state its schema, secrets and shared work are in.</summary>
    public sealed record StoreStatus
    {
        public string Engine { get; init; } = "";
        public string Location { get; init; } = "";
        /// <summary>What chose it: "environment" (PSCERTCONNECTOR_STORE), "home configuration" (store.json) or "default".</summary>
        public string Source { get; init; } = "";
        public int SchemaVersion { get; init; }
        public int LatestSchemaVersion { get; init; }
        public int PendingMigrations => Math.Max(0, LatestSchemaVersion - SchemaVersion);
        /// <summary>The key a shared store's secrets are protected with (recorded with the first secret), or null.</summary>
        public string? StoreSecretKey { get; init; }
        /// <summary>This host's key for a shared store; secrets are readable here when it equals <see cref="StoreSecretKey"/>.</summary>
        public string? HostSecretKey { get; init; }
        public string? KeyFile { get; init; }
        public int Connectors { get; init; }
        public int Certificates { get; init; }
        public int Orders { get; init; }
        /// <summary>Units of work hosts hold leases on now (due imports being run).</summary>
        public int ActiveLeases { get; init; }
    }
}
