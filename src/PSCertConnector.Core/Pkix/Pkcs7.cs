using System.Collections.Generic;
using System.Formats.Asn1;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// The certificate bag of a PKCS#7/CMS SignedData (RFC 5652): what AD CS returns as a chain (certnew.p7b)
    /// and inside a CMC full PKI response (CES). Only the certificates are read; signatures over a CMC
    /// response are not checked because the leaf is verified against the chain by whoever installs it.
    /// </summary>
    public static class Pkcs7
    {
        private const string SignedDataOid = "1.2.840.113549.1.7.2";
        private const string DataOid = "1.2.840.113549.1.7.1";

        /// <summary>A degenerate, unsigned SignedData carrying only certificates (what "certs-only" p7b files are).</summary>
        public static byte[] CertificatesOnly(IEnumerable<byte[]> certificates)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(SignedDataOid);
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1);
                    using (writer.PushSetOf()) { }
                    using (writer.PushSequence()) writer.WriteObjectIdentifier(DataOid);
                    using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                        foreach (var cert in certificates) writer.WriteEncodedValue(cert);
                    using (writer.PushSetOf()) { }
                }
            }
            return writer.Encode();
        }

        /// <summary>The certificates of a SignedData, in the order they are encoded.</summary>
        public static IReadOnlyList<byte[]> ReadCertificates(byte[] der, string what)
        {
            try
            {
                var contentInfo = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
                var type = contentInfo.ReadObjectIdentifier();
                if (type != SignedDataOid) throw Malformed(what, $"it is a PKCS#7 of type {type}, not SignedData");
                var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
                signedData.ReadInteger();
                signedData.ReadSetOf();
                signedData.ReadSequence();
                var result = new List<byte[]>();
                var certificatesTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
                if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(certificatesTag))
                {
                    var set = signedData.ReadSetOf(skipSortOrderValidation: true, certificatesTag);
                    while (set.HasData)
                    {
                        var tag = set.PeekTag();
                        var encoded = set.ReadEncodedValue();
                        // Only X.509 certificates (a plain SEQUENCE); attribute certificates and others carry tags.
                        if (tag.HasSameClassAndValue(Asn1Tag.Sequence)) result.Add(encoded.ToArray());
                    }
                }
                return result;
            }
            catch (AsnContentException ex)
            {
                throw Malformed(what, ex.Message);
            }
        }

        /// <summary>Reads PEM, bare base64 or DER. AD CS armours its b64 chain (certnew.p7b) as "CERTIFICATE", so that label is accepted too.</summary>
        public static IReadOnlyList<byte[]> ReadCertificatesPemOrDer(byte[] input, string what) =>
            ReadCertificates(Pem.ReadPemOrDer(input, what, "PKCS7", "CMS", "CERTIFICATE"), what);

        private static PscException Malformed(string what, string why) =>
            new PscException("MalformedResponse", FailureCategory.InvalidData, $"The {what} could not be read as PKCS#7: {why}.");
    }
}
