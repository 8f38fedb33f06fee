using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>The XML namespaces and URIs of MS-XCEP and MS-WSTEP (SOAP 1.2, WS-Addressing, WS-Trust, WS-Security).</summary>
    public static class AdcsXml
    {
        public static readonly XNamespace Soap = "http://www.w3.org/2003/05/soap-envelope";
        public static readonly XNamespace Addressing = "http://www.w3.org/2005/08/addressing";
        public static readonly XNamespace Xcep = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";
        public static readonly XNamespace Trust = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
        public static readonly XNamespace Wstep = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";
        public static readonly XNamespace Wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
        public static readonly XNamespace Wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
        public static readonly XNamespace Authorization = "http://schemas.xmlsoap.org/ws/2006/12/authorization";
        public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

        public const string GetPoliciesAction = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies";
        public const string GetPoliciesResponseAction = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPoliciesResponse";
        public const string EnrollAction = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep";
        public const string EnrollResponseAction = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RSTRC/wstep";
        public const string FaultAction = "http://www.w3.org/2005/08/addressing/soap/fault";
        /// <summary>The action of a CES fault that carries CertificateEnrollmentWSDetail.</summary>
        public const string EnrollmentFaultAction = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RequestSecurityTokenCertificateEnrollmentWSDetailFault";

        public const string X509TokenType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
        public const string IssueRequestType = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue";
        public const string QueryTokenStatusRequestType = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/QueryTokenStatus";
        public const string Pkcs10ValueType = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10";
        public const string Pkcs7ValueType = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS7";
        /// <summary>Lower-case "base64binary": servers reject the capitalised spelling.</summary>
        public const string Base64EncodingType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary";
        public const string PasswordTextType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
        public const string ContentType = "application/soap+xml; charset=utf-8";

        /// <summary>The CEP/CES endpoint segment for each authentication (e.g. ADPolicyProvider_CEP_UsernamePassword).</summary>
        public static string EndpointSuffix(AdcsAuthentication authentication) => authentication switch
        {
            AdcsAuthentication.Certificate => "Certificate",
            AdcsAuthentication.Kerberos => "Kerberos",
            _ => "UsernamePassword",
        };

        /// <summary>The name of a clientAuthentication number (CEP URIs, msPKI-Enrollment-Servers): 1, 2, 4, 8.</summary>
        public static string AuthenticationName(int code) => code switch
        {
            1 => "Anonymous",
            2 => "Kerberos",
            4 => "UsernamePassword",
            8 => "Certificate",
            _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        /// <summary>The clientAuthentication number a CEP response gives each URI (MS-XCEP 3.1.4.1.3.3).</summary>
        public static int ClientAuthenticationCode(AdcsAuthentication authentication) => authentication switch
        {
            AdcsAuthentication.Kerberos => 2,
            AdcsAuthentication.Certificate => 8,
            _ => 4,
        };
    }

    /// <summary>How a client proves who it is to CEP/CES or /certsrv.</summary>
    public enum AdcsAuthentication
    {
        /// <summary>WS-Security UsernameToken for CEP/CES; HTTP Basic for /certsrv.</summary>
        UsernamePassword,
        /// <summary>A TLS client certificate.</summary>
        Certificate,
        /// <summary>HTTP Negotiate (Kerberos, or NTLM where the platform offers it) through SSPI or GSSAPI.</summary>
        Kerberos,
    }

    /// <summary>A WS-Security UsernameToken's content. The password lives only in memory.</summary>
    public sealed class UsernameToken
    {
        public UsernameToken(string userName, string password)
        {
            UserName = userName;
            Password = password;
        }

        public string UserName { get; }
        public string Password { get; }
        public override string ToString() => UserName;
    }

    /// <summary>Builds SOAP 1.2 requests with WS-Addressing headers and, when given, a UsernameToken.</summary>
    public static class SoapEnvelope
    {
        public static byte[] Build(string action, Uri to, XElement body, UsernameToken? token, DateTimeOffset? now = null)
        {
            var created = now ?? DateTimeOffset.UtcNow;
            var header = new XElement(AdcsXml.Soap + "Header",
                new XElement(AdcsXml.Addressing + "Action", new XAttribute(AdcsXml.Soap + "mustUnderstand", "1"), action),
                new XElement(AdcsXml.Addressing + "MessageID", "urn:uuid:" + Guid.NewGuid().ToString("D")),
                new XElement(AdcsXml.Addressing + "ReplyTo", new XElement(AdcsXml.Addressing + "Address", "http://www.w3.org/2005/08/addressing/anonymous")),
                new XElement(AdcsXml.Addressing + "To", new XAttribute(AdcsXml.Soap + "mustUnderstand", "1"), to.AbsoluteUri));
            if (token != null)
            {
                header.Add(new XElement(AdcsXml.Wsse + "Security", new XAttribute(AdcsXml.Soap + "mustUnderstand", "1"),
                    new XAttribute(XNamespace.Xmlns + "o", AdcsXml.Wsse.NamespaceName),
                    new XAttribute(XNamespace.Xmlns + "u", AdcsXml.Wsu.NamespaceName),
                    // WCF's UserNameOverTransport binding requires a timestamp next to the token.
                    new XElement(AdcsXml.Wsu + "Timestamp", new XAttribute(AdcsXml.Wsu + "Id", "_0"),
                        new XElement(AdcsXml.Wsu + "Created", Iso(created)),
                        new XElement(AdcsXml.Wsu + "Expires", Iso(created.AddMinutes(5)))),
                    new XElement(AdcsXml.Wsse + "UsernameToken", new XAttribute(AdcsXml.Wsu + "Id", "uuid-" + Guid.NewGuid().ToString("D") + "-1"),
                        new XElement(AdcsXml.Wsse + "Username", token.UserName),
                        new XElement(AdcsXml.Wsse + "Password", new XAttribute("Type", AdcsXml.PasswordTextType), token.Password))));
            }
            var envelope = new XElement(AdcsXml.Soap + "Envelope",
                new XAttribute(XNamespace.Xmlns + "s", AdcsXml.Soap.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "a", AdcsXml.Addressing.NamespaceName),
                header,
                new XElement(AdcsXml.Soap + "Body", body));
            return Serialize(new XDocument(envelope));
        }

        public static byte[] Serialize(XDocument document)
        {
            var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false, OmitXmlDeclaration = false };
            using var stream = new System.IO.MemoryStream();
            using (var writer = XmlWriter.Create(stream, settings)) document.Save(writer);
            return stream.ToArray();
        }

        public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        /// <summary>The first element of the SOAP body, or a MalformedResponse error naming what was expected.</summary>
        public static XElement BodyContent(XDocument document, string what)
        {
            var root = document.Root;
            if (root == null || root.Name != AdcsXml.Soap + "Envelope")
                throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"The {what} is not a SOAP 1.2 envelope (root element {root?.Name.LocalName ?? "missing"}).");
            return root.Element(AdcsXml.Soap + "Body")?.Elements().FirstOrDefault()
                ?? throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"The {what} has an empty SOAP body.");
        }
    }

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
