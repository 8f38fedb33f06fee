using System;
using System.Linq;
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
            X509CertificateStructure cert;
            try { cert = X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der)); }
            catch (Exception ex)
            {
                throw new PscException("MalformedCertificate", FailureCategory.InvalidData, "The certificate is not a valid X.509 structure: " + ex.Message, ex);
            }
            var tbs = cert.TbsCertificate;
            var extensions = tbs.Extensions;
            X509Extension? Ext(DerObjectIdentifier oid) => extensions?.GetExtension(oid);

            string? template = null;
            var nameExt = Ext(new DerObjectIdentifier(Oids.CertificateTemplateName));
            if (nameExt != null && nameExt.GetParsedValue() is IAsn1String templateName) template = templateName.GetString();
            var infoExt = Ext(new DerObjectIdentifier(Oids.CertificateTemplateInfo));
            if (template == null && infoExt != null)
                template = DerObjectIdentifier.GetInstance(Asn1Sequence.GetInstance(infoExt.GetParsedValue())[0]).Id;
            var basic = Ext(X509Extensions.BasicConstraints);

            using var sha1 = SHA1.Create();
            using var sha256 = SHA256.Create();
            return new CertificateDetails
            {
                Subject = DistinguishedNames.Format(tbs.Subject),
                CommonName = DistinguishedNames.CommonName(tbs.Subject),
                Issuer = DistinguishedNames.Format(tbs.Issuer),
                IssuerKey = Hex.Encode(sha256.ComputeHash(tbs.Issuer.GetDerEncoded())),
                SerialNumber = Hex.Encode(tbs.SerialNumber.Value.ToByteArray()),
                ThumbprintSha1 = Hex.Encode(sha1.ComputeHash(der)),
                ThumbprintSha256 = Hex.Encode(sha256.ComputeHash(der)),
                NotBefore = new DateTimeOffset(tbs.StartDate.ToDateTime().ToUniversalTime(), TimeSpan.Zero),
                NotAfter = new DateTimeOffset(tbs.EndDate.ToDateTime().ToUniversalTime(), TimeSpan.Zero),
                SubjectAlternativeNames = GeneralNameCodec.Decode(Ext(X509Extensions.SubjectAlternativeName)?.GetParsedValue()),
                EnhancedKeyUsages = GeneralNameCodec.DecodeEku(Ext(X509Extensions.ExtendedKeyUsage)?.GetParsedValue()),
                Template = template,
                PublicKeyId = KeyFactory.PublicKeyId(tbs.SubjectPublicKeyInfo.GetDerEncoded()),
                IsCa = basic != null && BasicConstraints.GetInstance(basic.GetParsedValue()).IsCA(),
            };
        }

        /// <summary>All certificates in a PEM bundle (or one DER certificate).</summary>
        public static System.Collections.Generic.IReadOnlyList<byte[]> ReadAll(byte[] input)
        {
            if (input.Length > 0 && input[0] == 0x30) return new[] { input };
            var blocks = Pem.DecodeAll(System.Text.Encoding.UTF8.GetString(input), "certificate bundle");
            return blocks.Where(b => b.Label == "CERTIFICATE").Select(b => b.Der).ToList();
        }
    }
}
