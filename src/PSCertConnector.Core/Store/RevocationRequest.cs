using System;

namespace PSCertConnector.Core.Store
{
    /// <summary>A revocation accepted into the queue, with what became of it.</summary>
    public sealed record RevocationRequest
    {
        public long Id { get; init; }
        public long CertificateId { get; init; }
        public string SerialNumber { get; init; } = "";
        public string Connector { get; init; } = "";
        public string Subject { get; init; } = "";
        public RevocationReason Reason { get; init; }
        /// <summary>When the revocation takes effect (the CA's revocation date); null: when it is carried out.</summary>
        public DateTimeOffset? EffectiveAt { get; init; }
        public RevocationRequestStatus Status { get; init; }
        public int Attempts { get; init; }
        /// <summary>When the next attempt is due; null once it is revoked or given up.</summary>
        public DateTimeOffset? NextAttemptAt { get; init; }
        /// <summary>Why the last attempt failed (for a Queued request, why it will be retried).</summary>
        public string? LastError { get; init; }
        public string? RequestedBy { get; init; }
        public DateTimeOffset RequestedAt { get; init; }
        public DateTimeOffset? CompletedAt { get; init; }
    }
}
