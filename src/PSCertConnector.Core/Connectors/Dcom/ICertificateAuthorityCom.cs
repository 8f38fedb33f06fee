using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Connectors.Dcom
{
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
