using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>MS-WSTEP: RequestSecurityToken messages a client sends, and the reading of the response collection.</summary>
    public static class WstepCodec
    {
        public static byte[] BuildIssue(Uri to, byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, UsernameToken? token)
        {
            var t = AdcsXml.Trust;
            var context = new XElement(AdcsXml.Authorization + "AdditionalContext",
                new XElement(AdcsXml.Authorization + "ContextItem", new XAttribute("Name", "CertificateTemplate"),
                    new XElement(AdcsXml.Authorization + "Value", template)));
            foreach (var attribute in attributes.Where(a => !a.Key.Equals("CertificateTemplate", StringComparison.OrdinalIgnoreCase)))
                context.Add(new XElement(AdcsXml.Authorization + "ContextItem", new XAttribute("Name", attribute.Key),
                    new XElement(AdcsXml.Authorization + "Value", attribute.Value)));
            var body = new XElement(t + "RequestSecurityToken", new XAttribute("PreferredLanguage", "en-US"),
                new XElement(t + "TokenType", AdcsXml.X509TokenType),
                new XElement(t + "RequestType", AdcsXml.IssueRequestType),
                new XElement(AdcsXml.Wsse + "BinarySecurityToken",
                    new XAttribute("ValueType", SignedRenewalRequest.IsSignedData(csrDer) ? AdcsXml.Pkcs7ValueType : AdcsXml.Pkcs10ValueType),
                    new XAttribute("EncodingType", AdcsXml.Base64EncodingType),
                    Convert.ToBase64String(csrDer)),
                context);
            return SoapEnvelope.Build(AdcsXml.EnrollAction, to, body, token);
        }

        public static byte[] BuildQueryTokenStatus(Uri to, string requestId, UsernameToken? token)
        {
            var t = AdcsXml.Trust;
            var body = new XElement(t + "RequestSecurityToken", new XAttribute("PreferredLanguage", "en-US"),
                new XElement(t + "TokenType", AdcsXml.X509TokenType),
                new XElement(t + "RequestType", AdcsXml.QueryTokenStatusRequestType),
                new XElement(AdcsXml.Wstep + "RequestID", requestId));
            return SoapEnvelope.Build(AdcsXml.EnrollAction, to, body, token);
        }

        public static WstepResponse ReadResponse(XDocument document)
        {
            const string what = "enrollment response";
            var t = AdcsXml.Trust;
            var content = SoapEnvelope.BodyContent(document, what);
            var rstr = content.Name == t + "RequestSecurityTokenResponseCollection" ? content.Element(t + "RequestSecurityTokenResponse")
                : content.Name == t + "RequestSecurityTokenResponse" ? content
                : throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"The {what} holds '{content.Name.LocalName}' where RequestSecurityTokenResponseCollection was expected.");
            if (rstr == null)
                throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"The {what} has no RequestSecurityTokenResponse.");

            var requestId = rstr.Element(AdcsXml.Wstep + "RequestID").Text();
            var message = rstr.Element(AdcsXml.Wstep + "DispositionMessage").Text();

            var chain = new List<byte[]>();
            var pkcs7 = rstr.Elements(AdcsXml.Wsse + "BinarySecurityToken")
                .FirstOrDefault(e => ((string?)e.Attribute("ValueType"))?.EndsWith("#PKCS7", StringComparison.Ordinal) == true);
            if (pkcs7 != null && pkcs7.Value.Trim().Length > 0)
                chain.AddRange(Pkcs7.ReadCertificates(SafeXml.Base64(pkcs7.Value, "PKCS#7 in the enrollment response"), "PKCS#7 in the enrollment response"));

            var requested = rstr.Element(t + "RequestedSecurityToken");
            byte[]? certificate = null;
            var leaf = requested?.Element(AdcsXml.Wsse + "BinarySecurityToken");
            if (leaf != null && leaf.Value.Trim().Length > 0)
                certificate = SafeXml.Base64(leaf.Value, "certificate in the enrollment response");

            Uri? reference = null;
            var uri = (string?)requested?.Element(AdcsXml.Wsse + "SecurityTokenReference")?.Element(AdcsXml.Wsse + "Reference")?.Attribute("URI");
            if (uri != null && Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) reference = parsed;

            if (certificate == null && reference == null && requestId == null)
                throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"The {what} has neither a certificate, nor a reference to poll, nor a request id.");
            if (certificate != null)
            {
                // The chain from the CMC response holds the leaf too; keep only the CA certificates.
                chain.RemoveAll(c => c.AsSpan().SequenceEqual(certificate));
            }
            return new WstepResponse(requestId, message, certificate, chain, reference);
        }
    }
}
