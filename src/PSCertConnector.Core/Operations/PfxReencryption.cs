using System;

namespace PSCertConnector.Core.Operations
{
    /// <summary>What 'pfx reencrypt' did: which PFX, the certificate in it, where the re-encrypted copy went.</summary>
    public sealed record PfxReencryption
    {
        public string Source { get; init; } = "";
        public string Path { get; init; } = "";
        public string Subject { get; init; } = "";
        public string SerialNumber { get; init; } = "";
        public string Thumbprint { get; init; } = "";
        public DateTimeOffset NotAfter { get; init; }
        public string Protection { get; init; } = "";
        public string Connector { get; init; } = "";
        public bool KeyArchived { get; init; }
    }
}
