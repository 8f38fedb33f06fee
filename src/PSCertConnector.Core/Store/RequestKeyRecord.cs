using System;

namespace PSCertConnector.Core.Store
{
    /// <summary>A private key kept (protected) for a request until its certificate arrives.</summary>
    public sealed record RequestKeyRecord
    {
        public string KeyId { get; init; } = "";
        public string Subject { get; init; } = "";
        public Pkix.KeyAlgorithm Algorithm { get; init; }
        public int KeySize { get; init; }
        public bool Exportable { get; init; }
        public bool MachineKeySet { get; init; }
        public string? FriendlyName { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }
}
