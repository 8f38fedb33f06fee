using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Store
{
    /// <summary>A request submitted to a CA, tracked until its certificate is fetched into the inventory.</summary>
    public sealed record OrderRecord
    {
        public long Id { get; init; }
        public string Connector { get; init; } = "";
        public string? Domain { get; init; }
        public string? RequestId { get; init; }
        public string? CommonName { get; init; }
        public string Template { get; init; } = "";
        public SubmitStatus Status { get; init; }
        public string? DispositionMessage { get; init; }
        public int HResult { get; init; }
        public string? KeyId { get; init; }
        public byte[]? Csr { get; init; }
        public byte[]? Certificate { get; init; }
        public IReadOnlyList<byte[]> Chain { get; init; } = Array.Empty<byte[]>();
        public string? SerialNumber { get; init; }
        public string? Thumbprint { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public DateTimeOffset? FetchedAt { get; init; }
        /// <summary>Where the CA said to poll a pending request (CES); null for other transports.</summary>
        public string? ReferenceUri { get; init; }
        /// <summary>Sent with the request as the attribute PSCertConnectorSubmissionId: how the CA's copy of this request can be found.</summary>
        public string? SubmissionId { get; init; }
        /// <summary>The process that sent the request ("host/pid/start"): while it runs, a Submitting order is its business.</summary>
        public string? SubmittedBy { get; init; }
        /// <summary>The SHA-1 thumbprint of the certificate this order renews; null for a first enrollment.</summary>
        public string? Renews { get; init; }
        /// <summary>When the maintenance pass asks the CA about this pending order next; null: at the next pass.</summary>
        public DateTimeOffset? NextPollAt { get; init; }
        /// <summary>How many polls have not settled it (each waits longer: see MaintenanceOperation.PollBackoff).</summary>
        public int PollAttempts { get; init; }
        /// <summary>For a renewal: when its successor was deployed like the predecessor (null while that is still to do).</summary>
        public DateTimeOffset? FinishedAt { get; init; }
        /// <summary>For a pending order: what the approval checks found (empty: nothing); not stored, worked out when the order is shown.</summary>
        public IReadOnlyList<ApprovalFinding> ApprovalFindings { get; init; } = Array.Empty<ApprovalFinding>();
    }
}
