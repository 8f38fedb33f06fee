using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// Requests and certificates with the names an attacker (or a broken CA) writes: built from raw DER with the
    /// platform's encoder, so no library check of ours or BouncyCastle's stands between the name and the code under test.
    /// </summary>
    public static class HostileNames
    {
        public const string CommonNameOid = "2.5.4.3";

        /// <summary>A Name of single-attribute RDNs, each value a UTF8String, as given.</summary>
        public static X500DistinguishedName Name(params (string Oid, string Value)[] attributes)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                foreach (var (oid, value) in attributes)
                {
                    using (writer.PushSetOf())
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(oid);
                        writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                    }
                }
            }
            return new X500DistinguishedName(writer.Encode());
        }

        public static X500DistinguishedName CommonName(string value) => Name((CommonNameOid, value));

        public static byte[] Csr(X500DistinguishedName subject, params string[] dnsNames)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            if (dnsNames.Length > 0)
            {
                var sans = new SubjectAlternativeNameBuilder();
                foreach (var dns in dnsNames) sans.AddDnsName(dns);
                request.CertificateExtensions.Add(sans.Build());
            }
            return request.CreateSigningRequest();
        }

        /// <summary>A self-signed certificate with that subject, as a CA that signs anything would return it.</summary>
        public static byte[] Certificate(X500DistinguishedName subject)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
            return cert.RawData;
        }
    }
}
