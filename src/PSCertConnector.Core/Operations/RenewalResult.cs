using System;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>One certificate's renewal: the order it became and, once issued, the successor in the inventory.</summary>
    public sealed record RenewalResult
    {
        public string Connector { get; init; } = "";
        public string Subject { get; init; } = "";
        public string? CommonName { get; init; }
        /// <summary>The renewed certificate's SHA-1 thumbprint and serial.</summary>
        public string Renews { get; init; } = "";
        public string RenewsSerialNumber { get; init; } = "";
        public long OrderId { get; init; }
        public string? RequestId { get; init; }
        public SubmitStatus Status { get; init; }
        public string? DispositionMessage { get; init; }
        public string Template { get; init; } = "";
        public bool KeyReused { get; init; }
        /// <summary>True when the request was signed with the old certificate's key, as Windows renews (PKCS#7 around the PKCS#10).</summary>
        public bool SignedWithOldKey { get; init; }
        /// <summary>The successor, once issued and in the inventory.</summary>
        public string? Thumbprint { get; init; }
        public string? SerialNumber { get; init; }
        public DateTimeOffset? NotAfter { get; init; }
        /// <summary>Where the successor was put because the predecessor was there: "CurrentUser\My", file paths.</summary>
        public System.Collections.Generic.IReadOnlyList<string> DeployedTo { get; init; } = System.Array.Empty<string>();
        /// <summary>True when the predecessor was revoked after its successor arrived (RevokeOld).</summary>
        public bool PredecessorRevoked { get; init; }
    }
}
