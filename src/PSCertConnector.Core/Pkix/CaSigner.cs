using System;
using System.Collections.Generic;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>Signs certificates and CRLs with a CA key. The crypto library's objects stay inside.</summary>
    public sealed class CaSigner
    {
        private readonly AsymmetricKey _key;
        private readonly Org.BouncyCastle.X509.X509Certificate _certificate;

        public CaSigner(byte[] caCertificateDer, AsymmetricKey key)
        {
            _key = key;
            _certificate = new X509CertificateParser().ReadCertificate(caCertificateDer);
            if (!_certificate.GetPublicKey().Equals(key.PublicParameter))
                throw new PscException("CaKeyMismatch", FailureCategory.InvalidData, "The CA private key does not belong to the CA certificate.");
            CertificateDer = caCertificateDer;
        }

        public byte[] CertificateDer { get; }

        /// <summary>Whether the exception is the crypto library's report of a CA certificate it cannot parse
        /// (thrown by the constructor), so that callers outside Pkix need not name the library's types.</summary>
        public static bool IsUnreadableCertificate(Exception ex) => ex is Org.BouncyCastle.Security.Certificates.CertificateException;

        public static byte[] CreateSelfSigned(AsymmetricKey key, string subject, IssuancePolicy policy)
        {
            var name = DistinguishedNames.Parse(subject, "CA subject");
            var generator = NewGenerator(name, name, key.PublicParameter, policy);
            generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.PublicParameter));
            return generator.Generate(key.SignatureFactory(policy.Hash)).GetEncoded();
        }

        /// <summary>Issues a certificate for a subject and public key (a subordinate CA, or a request already checked).</summary>
        public byte[] Issue(string subject, byte[] subjectPublicKeyInfo, IssuancePolicy policy, IReadOnlyList<SubjectAlternativeName>? sans = null)
        {
            var spki = SubjectPublicKeyInfo.GetInstance(Asn1Object.FromByteArray(subjectPublicKeyInfo));
            KeyFactory.RejectExplicitCurve(spki, "public key");
            var publicKey = PublicKeyFactory.CreateKey(spki);
            var generator = NewGenerator(_certificate.SubjectDN, DistinguishedNames.Parse(subject, "subject"), publicKey, policy);
            generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
            generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(_certificate));
            if (sans != null && sans.Count > 0)
                generator.AddExtension(X509Extensions.SubjectAlternativeName, string.IsNullOrEmpty(subject), GeneralNameCodec.Encode(sans));
            return generator.Generate(_key.SignatureFactory(policy.Hash)).GetEncoded();
        }

        /// <summary>Issues from a request already parsed and checked: subject, key and SANs from it, the rest from policy.</summary>
        public byte[] IssueFromRequest(CsrInfo request, IssuancePolicy policy) =>
            Issue(policy.Subject ?? request.Subject, request.PublicKeyInfo, policy, request.SubjectAlternativeNames);

        public byte[] CreateCrl(long crlNumber, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate,
            IEnumerable<CrlRevocation> revocations, IReadOnlyList<string>? caIssuerUrls = null)
        {
            var generator = new X509V2CrlGenerator();
            generator.SetIssuerDN(_certificate.SubjectDN);
            generator.SetThisUpdate(thisUpdate.UtcDateTime);
            generator.SetNextUpdate(nextUpdate.UtcDateTime);
            foreach (var r in revocations)
            {
                Hex.TryDecode(r.SerialNumber, out var serial);
                generator.AddCrlEntry(new BcBigInteger(1, serial), r.RevokedAt.UtcDateTime, (int)r.Reason);
            }
            generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(_certificate));
            generator.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BcBigInteger.ValueOf(crlNumber)));
            if (caIssuerUrls != null && caIssuerUrls.Count > 0)
                generator.AddExtension(X509Extensions.AuthorityInfoAccess, false, CaIssuers(caIssuerUrls));
            return generator.Generate(_key.SignatureFactory(SignatureHash.Sha256)).GetEncoded();
        }

        private static X509V3CertificateGenerator NewGenerator(X509Name issuer, X509Name subject,
            Org.BouncyCastle.Crypto.AsymmetricKeyParameter publicKey, IssuancePolicy policy)
        {
            var generator = new X509V3CertificateGenerator();
            var serial = policy.SerialNumber.Length > 0 ? policy.SerialNumber : NewSerial();
            generator.SetSerialNumber(new BcBigInteger(1, serial));
            generator.SetIssuerDN(issuer);
            generator.SetSubjectDN(subject);
            generator.SetNotBefore(policy.NotBefore.UtcDateTime);
            generator.SetNotAfter(policy.NotAfter.UtcDateTime);
            generator.SetPublicKey(publicKey);
            if (policy.IsCa)
                generator.AddExtension(X509Extensions.BasicConstraints, true,
                    policy.PathLength.HasValue ? new BasicConstraints(policy.PathLength.Value) : new BasicConstraints(true));
            if (policy.KeyUsage != 0)
                generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(policy.KeyUsage));
            if (policy.EnhancedKeyUsages.Count > 0)
                generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, GeneralNameCodec.EncodeEku(policy.EnhancedKeyUsages));
            if (policy.CrlDistributionPoints.Count > 0)
            {
                var names = new GeneralNames(policy.CrlDistributionPoints.Select(u => new GeneralName(GeneralName.UniformResourceIdentifier, u)).ToArray());
                generator.AddExtension(X509Extensions.CrlDistributionPoints, false,
                    new CrlDistPoint(new[] { new DistributionPoint(new DistributionPointName(DistributionPointName.FullName, names), null, null) }));
            }
            if (policy.CaIssuerUrls.Count > 0)
                generator.AddExtension(X509Extensions.AuthorityInfoAccess, false, CaIssuers(policy.CaIssuerUrls));
            if (!string.IsNullOrEmpty(policy.TemplateName))
                generator.AddExtension(new DerObjectIdentifier(Oids.CertificateTemplateName), false, new DerBmpString(policy.TemplateName));
            return generator;
        }

        private static Asn1Encodable CaIssuers(IEnumerable<string> urls) =>
            new DerSequence(urls.Select(u => (Asn1Encodable)new AccessDescription(AccessDescription.IdADCAIssuers,
                new GeneralName(GeneralName.UniformResourceIdentifier, u))).ToArray());

        /// <summary>A positive 16-byte random serial, as RFC 5280 and CA/B Forum rules want (at least 64 bits of entropy).</summary>
        public static byte[] NewSerial()
        {
            var bytes = new byte[16];
            using (var rng = System.Security.Cryptography.RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            bytes[0] = (byte)((bytes[0] & 0x7F) | 0x10); // positive, and no leading zero byte to strip
            return bytes;
        }
    }
}
