using System;
using System.Linq;
using System.Xml.Linq;
using PSCertConnector.Core;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// The Lab's MS-WSTEP side: RequestSecurityToken (Issue and QueryTokenStatus) answered from the embedded CA,
    /// with issued, pending and fault responses shaped as CES sends them.
    /// </summary>
    internal static class LabEnrollmentService
    {
        private const int HResultBadRequest = unchecked((int)0x80094001); // CERTSRV_E_BAD_REQUESTSUBJECT stands in for "unreadable request"
        private const int HResultUnsupportedTemplate = unchecked((int)0x80094800);
        private const int HResultNotFound = unchecked((int)0x80094004);
        private const int HResultNoCertType = unchecked((int)0x80094801); // CERTSRV_E_NO_CERT_TYPE

        /// <summary>Either a response body (HTTP 200) or a fault (HTTP 500).</summary>
        public sealed record Outcome(XElement Body, bool IsFault);

        public static Outcome Handle(LabAuthority authority, XElement request, Uri serviceUri)
        {
            var t = AdcsXml.Trust;
            if (request.Name != t + "RequestSecurityToken")
                return Fault("s:Sender", "a:ActionNotSupported", $"Expected RequestSecurityToken, got {request.Name.LocalName}.", null, null, invalidRequest: true);
            var requestType = request.Element(t + "RequestType")?.Value.Trim();
            if (requestType == AdcsXml.QueryTokenStatusRequestType)
            {
                var id = request.Element(AdcsXml.Wstep + "RequestID")?.Value.Trim();
                if (!long.TryParse(id, out var requestId) || requestId <= 0)
                    return Fault("s:Receiver", null, $"The request id '{id}' is not valid.", HResultNotFound, null, invalidRequest: true);
                SubmitResult status;
                try { status = authority.Ca.GetRequest(requestId); }
                catch (PscException) { return Fault("s:Receiver", null, $"No request {requestId} exists on this CA.", HResultNotFound, null, invalidRequest: false); }
                return FromResult(authority, status, serviceUri);
            }
            if (requestType != AdcsXml.IssueRequestType)
                return Fault("s:Sender", null, $"RequestType '{requestType}' is not supported by this Lab.", unchecked((int)0x80070057), null, invalidRequest: true);

            var token = request.Element(AdcsXml.Wsse + "BinarySecurityToken");
            var template = request.Element(AdcsXml.Authorization + "AdditionalContext")?.Elements(AdcsXml.Authorization + "ContextItem")
                .FirstOrDefault(i => (string?)i.Attribute("Name") == "CertificateTemplate")?.Element(AdcsXml.Authorization + "Value")?.Value.Trim();
            // MS-WSTEP makes only RequestType and the token mandatory: without a CertificateTemplate context item the CA
            // reads the template from the request itself (certmonger's cepces sends it only as the CSR's extension).
            if (token == null || string.IsNullOrWhiteSpace(token.Value))
                return Fault("s:Receiver", null, "The request carries no PKCS#10 BinarySecurityToken.", HResultBadRequest, null, invalidRequest: true);
            var attributes = (request.Element(AdcsXml.Authorization + "AdditionalContext")?.Elements(AdcsXml.Authorization + "ContextItem") ?? Enumerable.Empty<XElement>())
                .Where(i => (string?)i.Attribute("Name") is { } n && n != "CertificateTemplate")
                .GroupBy(i => (string)i.Attribute("Name")!)
                .ToDictionary(g => g.Key, g => g.Last().Element(AdcsXml.Authorization + "Value")?.Value ?? "");
            try
            {
                var csr = SafeXml.Base64(token.Value, "PKCS#10 token");
                return FromResult(authority, authority.Ca.Submit(csr, template, attributes), serviceUri);
            }
            catch (PscException ex) when (ex.ErrorId == "TemplateNotSupported")
            {
                return Fault("s:Receiver", null, $"The requested certificate template is not supported by this CA. {ex.Message}", HResultUnsupportedTemplate, null, invalidRequest: false);
            }
            catch (PscException ex) when (ex.ErrorId == "NoCertificateTemplate")
            {
                return Fault("s:Receiver", null, ex.Message, HResultNoCertType, null, invalidRequest: true);
            }
            catch (PscException ex)
            {
                return Fault("s:Receiver", null, ex.Message, HResultBadRequest, null, invalidRequest: true);
            }
        }

        private static Outcome FromResult(LabAuthority authority, SubmitResult result, Uri serviceUri)
        {
            var t = AdcsXml.Trust;
            var response = new XElement(t + "RequestSecurityTokenResponse",
                new XElement(t + "TokenType", AdcsXml.X509TokenType),
                new XElement(AdcsXml.Wstep + "DispositionMessage", new XAttribute(XNamespace.Xml + "lang", "en-US"), result.DispositionMessage ?? ""));
            switch (result.Status)
            {
                case SubmitStatus.Issued:
                case SubmitStatus.Revoked:
                    response.Add(Token(AdcsXml.Pkcs7ValueType, Pkcs7.CertificatesOnly(new[] { result.Certificate! }.Concat(result.Chain))));
                    response.Add(new XElement(t + "RequestedSecurityToken", Token(AdcsXml.X509TokenType, result.Certificate!)));
                    break;
                case SubmitStatus.Pending:
                    // MS-WSTEP: every response collection carries a PKCS#7; for a pending request it holds the CA chain.
                    response.Add(Token(AdcsXml.Pkcs7ValueType, Pkcs7.CertificatesOnly(new[] { authority.Ca.IssuingCertificate, authority.Ca.RootCertificate })));
                    response.Add(new XElement(t + "RequestedSecurityToken",
                        new XElement(AdcsXml.Wsse + "SecurityTokenReference",
                            new XElement(AdcsXml.Wsse + "Reference", new XAttribute("URI", serviceUri.AbsoluteUri)))));
                    break;
                default:
                    return Fault("s:Receiver", null, result.DispositionMessage ?? "The request was denied.", result.HResult != 0 ? result.HResult : unchecked((int)0x80094014),
                        result.RequestId, invalidRequest: false);
            }
            response.Add(new XElement(AdcsXml.Wstep + "RequestID", result.RequestId));
            return new Outcome(new XElement(t + "RequestSecurityTokenResponseCollection", response), false);
        }

        private static XElement Token(string valueType, byte[] der)
        {
            // Real CES wraps base64 at 64 characters with CR LF; clients must cope, so the Lab does it too.
            var b64 = Convert.ToBase64String(der);
            var lines = Enumerable.Range(0, (b64.Length + 63) / 64).Select(i => b64.Substring(i * 64, Math.Min(64, b64.Length - i * 64)));
            return new XElement(AdcsXml.Wsse + "BinarySecurityToken",
                new XAttribute("ValueType", valueType),
                new XAttribute("EncodingType", AdcsXml.Base64EncodingType),
                string.Join("\r\n", lines));
        }

        /// <summary>A SOAP 1.2 fault; with an HRESULT it carries CertificateEnrollmentWSDetail as CES does.</summary>
        public static Outcome Fault(string code, string? subcode, string reason, int? hresult, string? requestId, bool invalidRequest)
        {
            var s = AdcsXml.Soap;
            var codeElement = new XElement(s + "Code", new XElement(s + "Value", code));
            if (subcode != null)
                codeElement.Add(new XElement(s + "Subcode", new XElement(s + "Value",
                    new XAttribute(XNamespace.Xmlns + "a", subcode.Contains("Security") ? AdcsXml.Wsse.NamespaceName : AdcsXml.Addressing.NamespaceName), subcode)));
            var fault = new XElement(s + "Fault", codeElement,
                new XElement(s + "Reason", new XElement(s + "Text", new XAttribute(XNamespace.Xml + "lang", "en-US"), reason)));
            if (hresult.HasValue)
            {
                var w = AdcsXml.Wstep;
                fault.Add(new XElement(s + "Detail",
                    new XElement(w + "CertificateEnrollmentWSDetail",
                        new XAttribute(XNamespace.Xmlns + "i", AdcsXml.Xsi.NamespaceName),
                        new XElement(w + "BinaryResponse", new XAttribute(AdcsXml.Xsi + "nil", "true")),
                        new XElement(w + "ErrorCode", hresult.Value),
                        new XElement(w + "InvalidRequest", invalidRequest ? "true" : "false"),
                        requestId == null ? new XElement(w + "RequestID", new XAttribute(AdcsXml.Xsi + "nil", "true")) : new XElement(w + "RequestID", requestId))));
            }
            return new Outcome(fault, true);
        }
    }
}
