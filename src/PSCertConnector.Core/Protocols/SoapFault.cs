using System;
using System.Linq;
using System.Xml.Linq;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>
    /// A SOAP 1.2 fault as CES sends it on HTTP 500. HResult and RequestId come from
    /// CertificateEnrollmentWSDetail when the CA answered; without it the fault is from the web service itself
    /// (security, addressing).
    /// </summary>
    public sealed record SoapFault(string Code, string? Subcode, string Reason, int? HResult, string? RequestId, bool InvalidRequest)
    {
        /// <summary>Security faults from WS-Security (wrong user name or password, expired timestamp).</summary>
        public bool IsAuthenticationFailure =>
            Subcode != null && (Subcode.EndsWith("FailedAuthentication", StringComparison.Ordinal) || Subcode.EndsWith("InvalidSecurity", StringComparison.Ordinal)
                || Subcode.EndsWith("InvalidSecurityToken", StringComparison.Ordinal));

        public static SoapFault? TryRead(XDocument document)
        {
            var fault = document.Root?.Element(AdcsXml.Soap + "Body")?.Element(AdcsXml.Soap + "Fault");
            if (fault == null) return null;
            var code = fault.Element(AdcsXml.Soap + "Code");
            var reason = fault.Element(AdcsXml.Soap + "Reason")?.Elements(AdcsXml.Soap + "Text").FirstOrDefault()?.Value.Trim() ?? "";
            var detail = fault.Element(AdcsXml.Soap + "Detail")?.Element(AdcsXml.Wstep + "CertificateEnrollmentWSDetail");
            return new SoapFault(
                code?.Element(AdcsXml.Soap + "Value")?.Value.Trim() ?? "",
                code?.Element(AdcsXml.Soap + "Subcode")?.Element(AdcsXml.Soap + "Value")?.Value.Trim(),
                reason,
                detail?.Element(AdcsXml.Wstep + "ErrorCode").Int("fault ErrorCode"),
                detail?.Element(AdcsXml.Wstep + "RequestID").Text() is { Length: > 0 } id ? id : null,
                detail?.Element(AdcsXml.Wstep + "InvalidRequest").Bool() ?? false);
        }
    }
}
