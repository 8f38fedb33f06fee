using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Store
{
    public sealed record CertificateRecord
    {
        public long Id { get; init; }
        public string Connector { get; init; } = "";
        public string Issuer { get; init; } = "";
        public string IssuerKey { get; init; } = "";
        public string SerialNumber { get; init; } = "";
        /// <summary>SHA-1 thumbprint, as Windows shows it.</summary>
        public string Thumbprint { get; init; } = "";
        public string ThumbprintSha256 { get; init; } = "";
        public string Subject { get; init; } = "";
        public string? CommonName { get; init; }
        public IReadOnlyList<string> SubjectAlternativeNames { get; init; } = Array.Empty<string>();
        public DateTimeOffset NotBefore { get; init; }
        public DateTimeOffset NotAfter { get; init; }
        public string? Template { get; init; }
        public string? BusinessUnit { get; init; }
        public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
        public DateTimeOffset? RevokedAt { get; init; }
        public RevocationReason? RevocationReason { get; init; }
        public CertificateSource Source { get; init; }
        public string? RequestId { get; init; }
        public string? KeyId { get; init; }
        public bool HasPrivateKey { get; init; }
        public byte[] Der { get; init; } = Array.Empty<byte>();
        public DateTimeOffset UpdatedAt { get; init; }
        /// <summary>The SHA-1 thumbprint of the certificate this one renews.</summary>
        public string? Renews { get; init; }
        /// <summary>The SHA-1 thumbprint of the newest certificate that renews this one.</summary>
        public string? RenewedBy { get; init; }
        /// <summary>When renewal becomes due under the connector's and template's policy (set by the inventory operations).</summary>
        public DateTimeOffset? RenewalDueFrom { get; init; }

        /// <summary>Valid, not renewed, and past the start of its renewal window.</summary>
        public bool NeedsRenewal => RenewedBy == null && Status == CertificateStatus.Valid && RenewalDueFrom.HasValue && RenewalDueFrom.Value <= DateTimeOffset.UtcNow;

        public CertificateStatus Status => StatusAt(DateTimeOffset.UtcNow);
        public int DaysToExpiry => (int)Math.Floor((NotAfter - DateTimeOffset.UtcNow).TotalDays);

        public CertificateStatus StatusAt(DateTimeOffset now) =>
            RevokedAt.HasValue && RevokedAt.Value <= now ? CertificateStatus.Revoked
            : NotAfter <= now ? CertificateStatus.Expired
            : CertificateStatus.Valid;
    }
}
