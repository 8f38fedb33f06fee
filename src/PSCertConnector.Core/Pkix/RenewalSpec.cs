using System;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>The request that renews a certificate: its subject, SANs, key usage, EKUs and key type, read from the certificate.</summary>
    public static class RenewalSpec
    {
        public static RequestSpec FromCertificate(byte[] certificateDer)
        {
            X509CertificateStructure certificate;
            try { certificate = X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(certificateDer)); }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or System.IO.IOException)
            {
                throw new PscException("MalformedCertificate", FailureCategory.InvalidData, "The stored certificate is not a valid X.509 structure: " + ex.Message, ex);
            }
            var (algorithm, size) = KeyFactory.Describe(certificate.SubjectPublicKeyInfo, "certificate being renewed");
            var extensions = certificate.TbsCertificate.Extensions;
            var keyUsage = extensions?.GetExtension(X509Extensions.KeyUsage);
            var eku = extensions?.GetExtension(X509Extensions.ExtendedKeyUsage);
            var san = extensions?.GetExtension(X509Extensions.SubjectAlternativeName);
            return new RequestSpec
            {
                Subject = DistinguishedNames.Format(certificate.Subject),
                KeyAlgorithm = algorithm,
                KeyLength = size,
                KeyUsage = keyUsage == null ? 0 : GeneralNameCodec.DecodeKeyUsage(keyUsage.GetParsedValue()),
                KeyUsageCritical = keyUsage?.IsCritical ?? true,
                EnhancedKeyUsages = eku == null ? Array.Empty<string>() : GeneralNameCodec.DecodeEku(eku.GetParsedValue()),
                SubjectAlternativeNames = san == null ? Array.Empty<SubjectAlternativeName>() : GeneralNameCodec.Decode(san.GetParsedValue()),
            };
        }
    }
}
