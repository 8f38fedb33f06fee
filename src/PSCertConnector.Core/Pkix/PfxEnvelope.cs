using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.X509;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// A PFX delivered to a recipient instead of behind a password, as Intune delivers one to a device: a CMS
    /// EnvelopedData (AES-256-CBC, the content key wrapped to the recipient certificate's RSA key) whose content is the
    /// PKCS#12 with an empty password. Only the holder of the recipient's key can open it; OpenSSL does with
    /// 'openssl cms -decrypt' and then 'openssl pkcs12 -passin pass:'.
    /// </summary>
    public static class PfxEnvelope
    {
        private const string Aes256Cbc = "2.16.840.1.101.3.4.1.42";

        /// <summary>The certificate, its chain and key as a PKCS#12 enveloped to the recipient.</summary>
        public static byte[] Seal(byte[] certificateDer, IReadOnlyList<byte[]> chain, AsymmetricKey key, string? friendlyName, byte[] recipientCertificate)
        {
            var recipient = RequireRsaRecipient(recipientCertificate);
            var pfx = Pkcs12Writer.WriteForEnvelope(certificateDer, chain, key, friendlyName);
            try { return CmsEnvelope.Seal(pfx, new[] { recipient.GetEncoded() }, Aes256Cbc); }
            finally { Array.Clear(pfx, 0, pfx.Length); }
        }

        /// <summary>The PKCS#12 inside an envelope, opened with the recipient's key (its password is empty).</summary>
        public static byte[] Open(byte[] envelope, AsymmetricKey recipientKey, byte[]? recipientCertificate) =>
            CmsEnvelope.Open(envelope, recipientKey, recipientCertificate, Unreadable).Content;

        /// <summary>True when the bytes are a CMS EnvelopedData rather than a PKCS#12.</summary>
        public static bool IsEnvelope(byte[] der)
        {
            try
            {
                var sequence = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
                return sequence.Count >= 1 && sequence[0] is DerObjectIdentifier oid && oid.Id == "1.2.840.113549.1.7.3";
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or IOException) { return false; }
        }

        /// <summary>The recipient's certificate, refused unless its key is RSA (key transport) and it may encipher keys.</summary>
        public static X509Certificate RequireRsaRecipient(byte[] recipientCertificate)
        {
            X509Certificate certificate;
            try { certificate = new X509CertificateParser().ReadCertificate(recipientCertificate) ?? throw new IOException("no certificate"); }
            catch (Exception ex) when (ex is IOException or Org.BouncyCastle.Security.Certificates.CertificateException or ArgumentException)
            {
                throw new PscException("InvalidRecipient", FailureCategory.InvalidData, "The recipient certificate cannot be read: " + ex.Message.TrimEnd('.') + ".");
            }
            if (certificate.GetPublicKey() is not Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters)
                throw new PscException("InvalidRecipient", FailureCategory.InvalidArgument,
                    $"The recipient certificate '{DistinguishedNames.Format(certificate.SubjectDN)}' has no RSA key: a PFX is encrypted to a recipient by RSA key transport.");
            var usage = certificate.GetKeyUsage();
            if (usage != null && !usage[2])
                throw new PscException("InvalidRecipient", FailureCategory.InvalidArgument,
                    $"The recipient certificate '{DistinguishedNames.Format(certificate.SubjectDN)}' does not allow key encipherment (its key usage), so nothing may be encrypted to it.");
            return certificate;
        }

        /// <summary>The certificates and key in a PKCS#12 (password, or empty for one from an envelope); the leaf first.</summary>
        public static (byte[] Certificate, IReadOnlyList<byte[]> Chain, AsymmetricKey Key) ReadPkcs12(byte[] pfx, string password, string what)
        {
            Pkcs12Store store;
            try
            {
                store = new Pkcs12StoreBuilder().Build();
                using var input = new MemoryStream(pfx);
                store.Load(input, password.ToCharArray());
            }
            catch (Exception ex) when (ScepCodec.IsUnreadable(ex) || ex is Org.BouncyCastle.Security.Certificates.CertificateException)
            {
                throw new PscException("PfxUnreadable", FailureCategory.InvalidData,
                    $"The {what} cannot be opened: the password is wrong or the file is not a PFX ({DisplayText.Escape(ex.Message.TrimEnd('.'))}).");
            }
            var alias = store.Aliases.FirstOrDefault(store.IsKeyEntry)
                ?? throw new PscException("PfxHasNoKey", FailureCategory.InvalidData, $"The {what} holds no private key.");
            var key = AsymmetricKey.ImportPkcs8(PrivateKeyInfoFactory.CreatePrivateKeyInfo(store.GetKey(alias).Key).GetDerEncoded());
            var chain = store.GetCertificateChain(alias)?.Select(c => c.Certificate.GetEncoded()).ToList() ?? new List<byte[]>();
            if (chain.Count == 0 && store.GetCertificate(alias) is { } single) chain.Add(single.Certificate.GetEncoded());
            var leaf = chain.FirstOrDefault(c => CertificateReader.Read(c).PublicKeyId == key.KeyId)
                ?? throw new PscException("KeyMismatch", FailureCategory.InvalidData, $"The {what}'s private key belongs to none of its certificates.");
            var others = store.Aliases.Where(a => store.IsCertificateEntry(a)).Select(a => store.GetCertificate(a).Certificate.GetEncoded());
            return (leaf, chain.Concat(others).Where(c => !c.AsSpan().SequenceEqual(leaf))
                .GroupBy(c => CertificateReader.Read(c).ThumbprintSha1).Select(g => g.First()).ToList(), key);
        }

        private static PscException Unreadable(string why) =>
            new PscException("PfxEnvelopeUnreadable", FailureCategory.InvalidData, $"The encrypted PFX cannot be opened: {DisplayText.Escape(why)}.");
    }
}
