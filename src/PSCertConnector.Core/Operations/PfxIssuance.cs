using System;

namespace PSCertConnector.Core.Operations
{
    /// <summary>What 'pfx new' did: the order, and once issued, the certificate and where its PFX went and how it is protected.</summary>
    public sealed record PfxIssuance
    {
        public long OrderId { get; init; }
        public string Connector { get; init; } = "";
        public SubmitStatus Status { get; init; }
        public string Subject { get; init; } = "";
        public string? SerialNumber { get; init; }
        public string? Thumbprint { get; init; }
        public DateTimeOffset? NotAfter { get; init; }
        /// <summary>The PFX file; null while the order waits for approval.</summary>
        public string? Path { get; init; }
        public string? Protection { get; init; }
        /// <summary>True when the key stays in the inventory, encrypted, for recovery.</summary>
        public bool KeyArchived { get; init; }
        /// <summary>The CA's words when the order is not issued.</summary>
        public string? Message { get; init; }
    }
}
