using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Connectors.Dcom
{
    /// <summary>What ICertRequest::Submit/RetrievePending said: CR_DISP, request id, GetLastStatus, message, and the certificate when issued.</summary>
    public sealed record CaRequestResult(int Disposition, int RequestId, int LastStatus, string? DispositionMessage, byte[]? Certificate, byte[]? ChainPkcs7);

    /// <summary>Which CA database rows to read (ICertView restrictions), always issued or revoked ones.</summary>
    public sealed record CaRowQuery
    {
        /// <summary>Rows with Request.RequestID greater than this, ascending by request id.</summary>
        public int AfterRequestId { get; init; }
        /// <summary>When set: only revoked rows whose Request.RevokedWhen is at or after this (UTC), ascending by RevokedWhen then request id.</summary>
        public DateTime? RevokedSince { get; init; }
    }

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
    }

    /// <summary>
    /// The narrow seam over the CertCli/CertAdm COM objects (CertificateAuthority.Request, .Admin, .View). Every
    /// method maps to one or two COM calls and throws what COM throws (an exception whose HResult is the CA's);
    /// the mapping, paging, watermarks and error translation live above it, in DcomConnector.
    /// </summary>
    public interface ICertificateAuthorityCom : IDisposable
    {
        /// <summary>ICertRequest::Submit(CR_IN_BASE64 | CR_IN_PKCS10, csr, attributes, config), then GetRequestId/GetLastStatus/GetDispositionMessage/GetCertificate.</summary>
        CaRequestResult Submit(string config, string csrBase64, string attributes);
        /// <summary>ICertRequest::RetrievePending(requestId, config) and the same getters.</summary>
        CaRequestResult RetrievePending(string config, int requestId);
        /// <summary>ICertAdmin::ResubmitRequest: issues a pending request; returns the CR_DISP.</summary>
        int Resubmit(string config, int requestId);
        /// <summary>ICertAdmin::DenyRequest.</summary>
        void Deny(string config, int requestId);
        /// <summary>ICertAdmin::RevokeCertificate(config, serial (hex, no 0x), reason, date (UTC)). Reason -1 (MAXDWORD) releases a hold.</summary>
        void Revoke(string config, string serialNumber, int reason, DateTime effectiveUtc);
        /// <summary>ICertRequest2::GetCAProperty(CR_PROP_TEMPLATES): "name\nOID\nname\nOID…" of the templates the CA issues.</summary>
        string GetTemplates(string config);
        /// <summary>ICertRequest::GetCACertificate(false, config, CR_OUT_BINARY).</summary>
        byte[] GetCaCertificate(string config);
        /// <summary>ICertAdmin::GetCRL(config, CR_OUT_BINARY).</summary>
        byte[] GetCrl(string config);
        /// <summary>ICertView rows for the query, streamed; the caller stops reading when it has enough.</summary>
        IEnumerable<CaDatabaseRow> ReadRows(string config, CaRowQuery query);
    }
}
