using System.Formats.Asn1;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// The two Microsoft extensions that name a certificate template, in a certificate or in a request's extension
    /// request: the template name (1.3.6.1.4.1.311.20.2, V1 templates, a BMPString) and the template information
    /// (1.3.6.1.4.1.311.21.7, V2+ templates: the template's OID and its versions).
    /// </summary>
    public static class TemplateExtensions
    {
        /// <summary>The name in a template-name extension value; certmonger and older clients may use another string type than BMPString.</summary>
        public static string ReadName(byte[] extensionValue)
        {
            var reader = new AsnReader(extensionValue, AsnEncodingRules.BER);
            var tag = reader.PeekTag();
            return tag.TagClass == TagClass.Universal
                ? reader.ReadCharacterString((UniversalTagNumber)tag.TagValue)
                : throw new AsnContentException("The template name is not a character string.");
        }

        /// <summary>The template OID in a template-information extension value.</summary>
        public static string ReadOid(byte[] extensionValue) =>
            new AsnReader(extensionValue, AsnEncodingRules.BER).ReadSequence().ReadObjectIdentifier();
    }
}
