using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.X509;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// CMS EnvelopedData with RSA key transport (RFC 5652 §6), as SCEP's pkcsPKIEnvelope and a PFX delivered to a
    /// recipient both use it: content encrypted once, its key wrapped to each recipient certificate.
    /// </summary>
    internal static class CmsEnvelope
    {
        public static byte[] Seal(byte[] content, IEnumerable<byte[]> recipients, string encryptionOid) => KeyFactory.WithoutModulusPrimalityTest(() =>
        {
            var generator = new CmsEnvelopedDataGenerator();
            foreach (var recipient in recipients) generator.AddKeyTransRecipient(new X509Certificate(recipient));
            return generator.Generate(new CmsProcessableByteArray(content), new DerObjectIdentifier(encryptionOid)).GetEncoded();
        });

        /// <summary>
        /// The content and its encryption OID, opened with the recipient's key. With <paramref name="recipientCertificate"/>
        /// the recipient entry is chosen by issuer and serial: an envelope made for several recipients (micromdm encrypts to
        /// every certificate GetCACert returned) would otherwise be tried with the wrong entry, which yields only garbage.
        /// </summary>
        public static (byte[] Content, string EncryptionOid) Open(byte[] envelope, AsymmetricKey key, byte[]? recipientCertificate, Func<string, PscException> unreadable)
        {
            try
            {
                var enveloped = new CmsEnvelopedData(envelope);
                var recipients = enveloped.GetRecipientInfos().GetRecipients().ToList();
                if (recipientCertificate != null)
                {
                    var certificate = new X509Certificate(recipientCertificate);
                    recipients = recipients.Where(r => r.RecipientID.Match(certificate)).ToList();
                    if (recipients.Count == 0) throw unreadable("it is not encrypted to this party's certificate");
                }
                foreach (var recipient in recipients)
                {
                    try { return (recipient.GetContent(key.PrivateParameter), enveloped.EncryptionAlgOid); }
                    catch (Exception ex) when (ex is CmsException or Org.BouncyCastle.Crypto.InvalidCipherTextException) { /* another recipient's entry: try the next */ }
                }
                throw unreadable("it is not encrypted to this key");
            }
            catch (Exception ex) when (ScepCodec.IsUnreadable(ex))
            {
                throw unreadable(ex.Message.TrimEnd('.'));
            }
        }
    }
}
