using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace PSCertConnector.Core.Protocols
{
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
}
