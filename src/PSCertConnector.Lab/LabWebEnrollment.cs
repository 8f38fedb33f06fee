using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSCertConnector.Core;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// The Lab's /certsrv pages, shaped like AD CS Web Enrollment's ASP pages: the result page of
    /// certfnsh.asp (issued link, pending request id, or disposition with HRESULT), certnew.cer/.p7b and certcarc.asp.
    /// </summary>
    internal static class LabWebEnrollment
    {
        public sealed record Reply(int Status, string ContentType, byte[] Body);

        private static Reply Text(string contentType, string text) => new Reply(200, contentType, System.Text.Encoding.UTF8.GetBytes(text));

        public static Reply Home(LabAuthority authority) => Html("Microsoft Active Directory Certificate Services - " + authority.CaName,
            "<p>Welcome</p><p>Use this Web site to request a certificate. (PSCertConnector Lab)</p>" +
            "<p><a href=\"/certsrv/certrqus.asp\">Request a certificate</a></p><p><a href=\"/certsrv/certcarc.asp\">Download a CA certificate, certificate chain, or CRL</a></p>");

        public static Reply Submit(LabAuthority authority, IReadOnlyDictionary<string, string> form)
        {
            if (!form.TryGetValue("Mode", out var mode) || mode != "newreq" || !form.TryGetValue("CertRequest", out var csrText))
                return Error("The request form is incomplete (Mode=newreq and CertRequest are required).", null, unchecked((int)0x80070057));
            var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in (form.TryGetValue("CertAttrib", out var a) ? a : "").Split(new[] { "\r\n", "\n" }, StringSplitOptions.RemoveEmptyEntries))
            {
                var colon = line.IndexOf(':');
                if (colon > 0) attributes[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }
            // Without a CertificateTemplate in CertAttrib the CA reads the template from the request (its attribute or extensions).
            attributes.TryGetValue("CertificateTemplate", out var template);
            attributes.Remove("CertificateTemplate");
            SubmitResult result;
            try
            {
                var csr = Pem.ReadPemOrDer(System.Text.Encoding.UTF8.GetBytes(csrText), "certificate request", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
                result = authority.Ca.Submit(csr, template, attributes);
            }
            catch (PscException ex) when (ex.ErrorId == "TemplateNotSupported")
            {
                return Error("Denied by Policy Module: the requested certificate template is not supported by this CA.", null, unchecked((int)0x80094800));
            }
            catch (PscException ex) when (ex.ErrorId == "NoCertificateTemplate")
            {
                return Error("The request contains no certificate template information.", null, unchecked((int)0x80094801));
            }
            catch (PscException ex)
            {
                return Error("Error Parsing Request: " + ex.Message, null, unchecked((int)0x80094001));
            }
            return result.Status switch
            {
                SubmitStatus.Issued => Html("Microsoft Active Directory Certificate Services - " + authority.CaName,
                    "<p><b>Certificate Issued</b></p><p>The certificate you requested was issued to you.</p>" +
                    $"<a href=\"certnew.cer?ReqID={result.RequestId}&amp;Enc=b64\">Download certificate</a><br>" +
                    $"<a href=\"certnew.p7b?ReqID={result.RequestId}&amp;Enc=b64\">Download certificate chain</a>"),
                SubmitStatus.Pending => Html("Microsoft Active Directory Certificate Services - " + authority.CaName,
                    "<p><b>Certificate Pending</b></p><p>Your certificate request has been received. However, you must wait for an administrator to issue the certificate you requested.</p>" +
                    $"<p>Your Request Id is {result.RequestId}.</p>"),
                _ => Error(result.DispositionMessage ?? "Denied", result.RequestId, result.HResult),
            };
        }

        /// <summary>certnew.cer / certnew.p7b for a request id, or for CACert.</summary>
        public static Reply Retrieve(LabAuthority authority, string? requestId, bool chain, string? encoding)
        {
            if (string.Equals(requestId, "CACert", StringComparison.OrdinalIgnoreCase))
                return chain ? Pkcs7Reply(new[] { authority.Ca.IssuingCertificate, authority.Ca.RootCertificate }, encoding)
                             : CertificateReply(authority.Ca.IssuingCertificate, encoding);
            if (!long.TryParse(requestId, out var id) || id <= 0)
                return Error("The request id is not valid.", null, unchecked((int)0x80094004));
            SubmitResult result;
            try { result = authority.Ca.GetRequest(id); }
            catch (PscException) { return Error("Cannot find the request.", null, unchecked((int)0x80094004)); }
            return result.Status switch
            {
                SubmitStatus.Issued or SubmitStatus.Revoked => chain
                    ? Pkcs7Reply(new[] { result.Certificate! }.Concat(result.Chain), encoding)
                    : CertificateReply(result.Certificate!, encoding),
                // certnew.cer answers what it cannot serve with an error page: "Disposition message:" and, for a failure, the error code.
                SubmitStatus.Pending => Html("Microsoft Active Directory Certificate Services - " + authority.CaName,
                    $"<p>The certificate you requested is not available.</p><p>Request ID:\t\t{id}<br>\r\nDisposition message:\t\t{WebUtility.HtmlEncode(result.DispositionMessage)}</p>"),
                _ => Html("Microsoft Active Directory Certificate Services - " + authority.CaName,
                    $"<p>The certificate you requested is not available.</p><p>Request ID:\t\t{id}<br>\r\nDisposition message:\t\t{WebUtility.HtmlEncode(result.DispositionMessage)}<br>\r\n" +
                    $"0x{unchecked((uint)(result.HResult != 0 ? result.HResult : unchecked((int)0x80094014))):X8}</p>"),
            };
        }

        public static Reply CaRenewals(LabAuthority authority) => Html("Microsoft Active Directory Certificate Services - " + authority.CaName,
            "<script type=\"text/javascript\">\nvar nRenewals=0;\nvar sCAName=\"" + authority.CaName.Replace("\"", "") + "\";\n</script>" +
            "<p>Download a CA certificate, certificate chain, or CRL</p>" +
            "<a href=\"certnew.cer?ReqID=CACert&amp;Renewal=0&amp;Enc=b64\">Download CA certificate</a>");

        private static Reply CertificateReply(byte[] der, string? encoding) =>
            string.Equals(encoding, "bin", StringComparison.OrdinalIgnoreCase)
                ? new Reply(200, "application/pkix-cert", der)
                : Text("application/pkix-cert", Pem.Encode("CERTIFICATE", der));

        // AD CS armours the b64 chain as "CERTIFICATE" although it is PKCS#7; the Lab does the same.
        private static Reply Pkcs7Reply(IEnumerable<byte[]> certificates, string? encoding) =>
            string.Equals(encoding, "bin", StringComparison.OrdinalIgnoreCase)
                ? new Reply(200, "application/x-pkcs7-certificates", Pkcs7.CertificatesOnly(certificates))
                : Text("application/x-pkcs7-certificates", Pem.Encode("CERTIFICATE", Pkcs7.CertificatesOnly(certificates)));

        private static Reply Error(string message, string? requestId, int hresult) => Html("Microsoft Active Directory Certificate Services - Error",
            "<p><b>Certificate Request Denied</b></p><p>Your certificate request was denied.</p>" +
            (requestId != null ? $"<p>Your Request Id is {requestId}.</p>" : "") +
            $"<p>Contact your administrator for further information.</p><p>The disposition message is \"{WebUtility.HtmlEncode(message)}\".</p>" +
            $"<p>0x{unchecked((uint)hresult):X8} ({hresult})</p>");

        private static Reply Html(string title, string body) =>
            Text("text/html; charset=utf-8",
                $"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body>{body}</body></html>");
    }
}
