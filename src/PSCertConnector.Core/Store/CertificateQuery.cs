
namespace PSCertConnector.Core.Store
{
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
        /// <summary>Only certificates due for renewal: valid, not renewed, and inside their connector's and template's renewal window.</summary>
        public bool NeedsRenewal { get; init; }
    }
}
