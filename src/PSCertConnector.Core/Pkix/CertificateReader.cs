using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>Reads what the inventory keeps from a certificate, from PEM or DER, without touching the key.</summary>
    public static class CertificateReader
    {
        public static CertificateDetails Read(byte[] input)
        {
            var der = Pem.ReadPemOrDer(input, "certificate", "CERTIFICATE");
            try { return ReadDer(der); }
            catch (Exception ex) when (ex is System.Formats.Asn1.AsnContentException or ArgumentException or InvalidOperationException
                                       or FormatException or System.IO.IOException or InvalidCastException)
            {
                throw new PscException("MalformedCertificate", FailureCategory.InvalidData, "The certificate is not a valid X.509 structure: " + ex.Message, ex);
            }
        }

        // A forward-only read of the fields the inventory keeps: imports read hundreds of thousands of these,
        // and building the crypto library's object tree for each costs several times more.
        private static CertificateDetails ReadDer(byte[] der)
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, true))) tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            var serial = tbs.ReadIntegerBytes().ToArray();
            tbs.ReadSequence(); // signature algorithm
            var issuerDer = tbs.ReadEncodedValue().ToArray();
            var validity = tbs.ReadSequence();
            var notBefore = ReadTime(validity);
            var notAfter = ReadTime(validity);
            var subjectDer = tbs.ReadEncodedValue().ToArray();
            var spki = tbs.ReadEncodedValue().ToArray();
            IReadOnlyList<SubjectAlternativeName> sans = Array.Empty<SubjectAlternativeName>();
            IReadOnlyList<string> ekus = Array.Empty<string>();
            string? templateName = null, templateOid = null;
            bool isCa = false;
            var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 3, true);
            while (tbs.HasData)
            {
                if (!tbs.PeekTag().HasSameClassAndValue(extensionsTag)) { tbs.ReadEncodedValue(); continue; }
                var extensions = tbs.ReadSequence(extensionsTag).ReadSequence();
                while (extensions.HasData)
                {
                    var extension = extensions.ReadSequence();
                    var oid = extension.ReadObjectIdentifier();
                    if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean)) extension.ReadBoolean();
                    var value = extension.ReadOctetString();
                    switch (oid)
                    {
                        case "2.5.29.17": sans = GeneralNameCodec.Decode(Asn1Object.FromByteArray(value)); break;
                        case "2.5.29.37": ekus = GeneralNameCodec.DecodeEku(Asn1Object.FromByteArray(value)); break;
                        case Oids.CertificateTemplateName: templateName = TemplateExtensions.ReadName(value); break;
                        case Oids.CertificateTemplateInfo: templateOid = TemplateExtensions.ReadOid(value); break;
                        case "2.5.29.19":
                            var constraints = new AsnReader(value, AsnEncodingRules.DER).ReadSequence();
                            isCa = constraints.HasData && constraints.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && constraints.ReadBoolean();
                            break;
                    }
                }
            }

            var subject = X509Name.GetInstance(Asn1Object.FromByteArray(subjectDer));
            using var sha1 = SHA1.Create();
            using var sha256 = SHA256.Create();
            return new CertificateDetails
            {
                Subject = DistinguishedNames.Format(subject),
                CommonName = DistinguishedNames.CommonName(subject),
                Issuer = DistinguishedNames.Format(X509Name.GetInstance(Asn1Object.FromByteArray(issuerDer))),
                IssuerKey = Hex.Encode(sha256.ComputeHash(issuerDer)),
                SerialNumber = Hex.Encode(serial),
                ThumbprintSha1 = Hex.Encode(sha1.ComputeHash(der)),
                ThumbprintSha256 = Hex.Encode(sha256.ComputeHash(der)),
                NotBefore = notBefore,
                NotAfter = notAfter,
                SubjectAlternativeNames = sans,
                EnhancedKeyUsages = ekus,
                Template = templateName ?? templateOid,
                PublicKeyId = Hex.Encode(sha256.ComputeHash(spki)),
                IsCa = isCa,
            };
        }

        private static DateTimeOffset ReadTime(AsnReader reader) =>
            reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

        /// <summary>All certificates in a PEM bundle (or one DER certificate).</summary>
        public static System.Collections.Generic.IReadOnlyList<byte[]> ReadAll(byte[] input)
        {
            if (input.Length > 0 && input[0] == 0x30) return new[] { input };
            return Pem.Certificates(System.Text.Encoding.UTF8.GetString(input), "certificate bundle");
        }
    }
}
