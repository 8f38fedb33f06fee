using System;

namespace PSCertConnector.Core
{
    /// <summary>One row of a CA's issued/revoked certificates, as enumerated for import.</summary>
    public sealed record IssuedCertificate
    {
        public string RequestId { get; init; } = "";
        public byte[] Certificate { get; init; } = Array.Empty<byte>();
        public string? Template { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
        public RevocationReason? RevocationReason { get; init; }
        /// <summary>The account that requested it, where the CA reports one (AD CS: Request.RequesterName); null otherwise.</summary>
        public string? Requester { get; init; }
    }
}
