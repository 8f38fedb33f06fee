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
}
