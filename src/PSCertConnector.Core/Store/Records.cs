using System;
using System.Collections.Generic;
using PSCertConnector.Core.Connectors;

namespace PSCertConnector.Core.Store
{
    public enum ImportFrequencyUnit { Minutes, Hours, Weeks }

    public enum CertificateStatus { Valid, Expired, Revoked }

    public enum CertificateSource { Enrolled, Imported }

    public enum ImportMode { Incremental, Full }

    /// <summary>Interrupted: the process running the import was killed (never stored, only reported when the row says Running).</summary>
    public enum ImportRunStatus { Running, Succeeded, Failed, Cancelled, Interrupted }

    /// <summary>A configured CA connector. Secrets are never part of it: HasSecret only says one is stored.</summary>
    public sealed record ConnectorDefinition
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Type { get; init; } = "";
        public string? Domain { get; init; }
        public string? BusinessUnit { get; init; }
        public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
        /// <summary>1–10; when several connectors serve one domain, the lowest number is tried first.</summary>
        public int Priority { get; init; } = 5;
        public bool ImportEnabled { get; init; } = true;
        public int ImportEvery { get; init; } = 15;
        public ImportFrequencyUnit ImportEveryUnit { get; init; } = ImportFrequencyUnit.Minutes;
        public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
        public bool HasSecret { get; init; }
        public string? ImportWatermark { get; init; }
        public DateTimeOffset? LastImportAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public TimeSpan ImportInterval => ImportEveryUnit switch
        {
            ImportFrequencyUnit.Hours => TimeSpan.FromHours(ImportEvery),
            ImportFrequencyUnit.Weeks => TimeSpan.FromDays(7 * ImportEvery),
            _ => TimeSpan.FromMinutes(ImportEvery),
        };
    }

    public sealed record TemplateRecord
    {
        public string Connector { get; init; } = "";
        public CaTemplate Template { get; init; } = new CaTemplate();
        public DateTimeOffset RefreshedAt { get; init; }

        public string Name => Template.Name;
        public string DisplayName => Template.DisplayName;
        public bool RequiresApproval => Template.RequiresApproval;
        public int ValidityDays => (int)Template.Validity.TotalDays;
    }

    /// <summary>An enrollment endpoint cached for a connector when its templates were last refreshed.</summary>
    public sealed record EnrollmentServiceRecord
    {
        public string Connector { get; init; } = "";
        public EnrollmentService Service { get; init; } = new EnrollmentService();
        public DateTimeOffset RefreshedAt { get; init; }

        public string CaSubject => Service.CaSubject;
        public string Uri => Service.Uri;
        public string Authentication => Service.Authentication;
        public int Priority => Service.Priority;
        public bool RenewalOnly => Service.RenewalOnly;
    }

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
    }

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

        public CertificateStatus Status => StatusAt(DateTimeOffset.UtcNow);
        public int DaysToExpiry => (int)Math.Floor((NotAfter - DateTimeOffset.UtcNow).TotalDays);

        public CertificateStatus StatusAt(DateTimeOffset now) =>
            RevokedAt.HasValue && RevokedAt.Value <= now ? CertificateStatus.Revoked
            : NotAfter <= now ? CertificateStatus.Expired
            : CertificateStatus.Valid;
    }

    public sealed record ImportRunRecord
    {
        public long Id { get; init; }
        public string Connector { get; init; } = "";
        public ImportMode Mode { get; init; }
        public DateTimeOffset StartedAt { get; init; }
        public DateTimeOffset? FinishedAt { get; init; }
        public string? StartWatermark { get; init; }
        public string? EndWatermark { get; init; }
        public int Imported { get; init; }
        public int Updated { get; init; }
        public ImportRunStatus Status { get; init; }
        public string? Error { get; init; }
    }

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

    public sealed record CertificateQuery
    {
        public string? Connector { get; init; }
        public CertificateStatus? Status { get; init; }
        public int? ExpiringWithinDays { get; init; }
        /// <summary>Wildcard (*, ?) matched against the subject and the SANs.</summary>
        public string? Name { get; init; }
        public string? Tag { get; init; }
        public string? BusinessUnit { get; init; }
        public string? Template { get; init; }
        public string? SerialNumber { get; init; }
        public string? Thumbprint { get; init; }
        public int? Limit { get; init; }
    }

    public sealed record OrderQuery
    {
        public string? Connector { get; init; }
        public SubmitStatus? Status { get; init; }
        public long? Id { get; init; }
        public string? RequestId { get; init; }
        /// <summary>Orders of exactly this request (DER), to find an earlier submission of it.</summary>
        public byte[]? Csr { get; init; }
    }
}
