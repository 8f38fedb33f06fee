using System;

namespace PSCertConnector.Core.Connectors.Dcom
{
    /// <summary>One row of the CA database view with the columns an import needs.</summary>
    public sealed record CaDatabaseRow
    {
        public int RequestId { get; init; }
        /// <summary>Request.Disposition: CaDatabaseDisposition values (20 issued, 21 revoked).</summary>
        public int Disposition { get; init; }
        public byte[]? RawCertificate { get; init; }
        /// <summary>CertificateTemplate: the template's OID for version 2+ templates, its name for version 1.</summary>
        public string? Template { get; init; }
        /// <summary>Request.RevokedWhen: when the revocation was made (UTC).</summary>
        public DateTime? RevokedWhen { get; init; }
        /// <summary>Request.RevokedEffectiveWhen: the revocation date the CRL carries (UTC).</summary>
        public DateTime? RevokedEffectiveWhen { get; init; }
        public int? RevokedReason { get; init; }
        /// <summary>Request.RequesterName: the account that submitted the request (CONTOSO\\user).</summary>
        public string? RequesterName { get; init; }
    }
}
