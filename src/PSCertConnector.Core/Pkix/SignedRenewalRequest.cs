using System;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Operators;
using Org.BouncyCastle.X509;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// A renewal as Windows sends it (certreq -renew, autoenrollment): a PKCS#7 SignedData whose content is the new
    /// PKCS#10, signed with the key of the certificate being renewed, which travels in the SignedData's certificates.
    /// </summary>
    public static class SignedRenewalRequest
    {
        private const string SignedDataOid = "1.2.840.113549.1.7.2";

        /// <summary>The new request signed with the old certificate's key.</summary>
        public static byte[] Sign(byte[] pkcs10, byte[] oldCertificateDer, AsymmetricKey oldKey, SignatureHash hash = SignatureHash.Sha256)
        {
            var certificate = new X509Certificate(oldCertificateDer);
            var generator = new CmsSignedDataGenerator();
            generator.AddSignerInfoGenerator(new SignerInfoGeneratorBuilder().Build(oldKey.SignatureFactory(hash), certificate));
            generator.AddCertificate(certificate);
            return generator.Generate(new CmsProcessableByteArray(pkcs10), encapsulate: true).GetEncoded("DER");
        }

        /// <summary>True when the bytes are a PKCS#7 SignedData (not a bare PKCS#10).</summary>
        public static bool IsSignedData(byte[] der)
        {
            try
            {
                var sequence = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
                return sequence.Count >= 1 && sequence[0] is DerObjectIdentifier oid && oid.Id == SignedDataOid;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or System.IO.IOException) { return false; }
        }

        /// <summary>
        /// The PKCS#10 inside and the certificate that signed it, after checking the signature with that certificate's key.
        /// A renewal without exactly one signer, without its certificate, or with a bad signature is refused.
        /// </summary>
        public static (byte[] Request, byte[] Signer) Open(byte[] der)
        {
            try
            {
                var signed = new CmsSignedData(der);
                if (signed.SignedContent == null) throw Refused("it carries no request");
                var buffer = new System.IO.MemoryStream();
                signed.SignedContent.Write(buffer);
                var content = buffer.ToArray();
                var signers = signed.GetSignerInfos().GetSigners().ToList();
                if (signers.Count != 1) throw Refused($"it has {signers.Count} signers, not one");
                var signer = signers[0];
                var certificate = signed.GetCertificates().EnumerateMatches(signer.SignerID).FirstOrDefault()
                    ?? throw Refused("the certificate that signed it is not included");
                if (!signer.Verify(certificate)) throw Refused("its signature does not verify with the certificate it names");
                return (content, certificate.GetEncoded());
            }
            catch (Exception ex) when (ex is CmsException or ArgumentException or InvalidCastException or System.IO.IOException
                                       or Org.BouncyCastle.Security.SecurityUtilityException or Org.BouncyCastle.Security.Certificates.CertificateException)
            {
                throw Refused(ex.Message.TrimEnd('.'));
            }
        }

        private static PscException Refused(string why) =>
            new PscException("InvalidRenewalRequest", FailureCategory.InvalidData, $"The signed renewal request is not usable: {why}.");
    }
}
