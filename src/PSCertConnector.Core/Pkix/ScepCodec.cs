using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Operators;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using CmsAttribute = Org.BouncyCastle.Asn1.Cms.Attribute;
using CmsAttributeTable = Org.BouncyCastle.Asn1.Cms.AttributeTable;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// SCEP pkiMessages (RFC 8894 §3): a CMS SignedData whose signed attributes carry the message type, transaction id,
    /// nonces and status, over an EnvelopedData (the pkcsPKIEnvelope) that only the recipient can open. Both sides use
    /// it: the client with its request key and a self-signed certificate of it, a server with its RA key.
    /// </summary>
    public static class ScepCodec
    {
        private const string AttributeArc = "2.16.840.1.113733.1.9.";
        private static readonly DerObjectIdentifier MessageTypeOid = new DerObjectIdentifier(AttributeArc + "2");
        private static readonly DerObjectIdentifier PkiStatusOid = new DerObjectIdentifier(AttributeArc + "3");
        private static readonly DerObjectIdentifier FailInfoOid = new DerObjectIdentifier(AttributeArc + "4");
        private static readonly DerObjectIdentifier SenderNonceOid = new DerObjectIdentifier(AttributeArc + "5");
        private static readonly DerObjectIdentifier RecipientNonceOid = new DerObjectIdentifier(AttributeArc + "6");
        private static readonly DerObjectIdentifier TransactionIdOid = new DerObjectIdentifier(AttributeArc + "7");

        /// <summary>Why a key that is not RSA cannot take part in SCEP.</summary>
        public static PscException NeedsRsa(AsymmetricKey key) =>
            new PscException("ScepNeedsRsa", FailureCategory.InvalidArgument,
                $"SCEP needs an RSA key: the answer is encrypted to the key that signs the request, and a {key.Algorithm} key cannot receive it. Make the request with an RSA key.");

        /// <summary>A fresh 16-byte nonce.</summary>
        public static byte[] NewNonce()
        {
            var nonce = new byte[16];
            new SecureRandom().NextBytes(nonce);
            return nonce;
        }

        /// <summary>
        /// Signs a pkiMessage: <paramref name="content"/>, when given, is enveloped to <paramref name="recipients"/>
        /// with the algorithm chosen; the signer's certificate travels in the SignedData so the other side can answer to it.
        /// </summary>
        public static byte[] Seal(ScepMessageType type, string transactionId, byte[] senderNonce, byte[]? recipientNonce,
            ScepPkiStatus? status, ScepFailInfo? failInfo, byte[]? content, IReadOnlyList<byte[]> recipients,
            byte[] signerCertificate, AsymmetricKey signerKey, ScepAlgorithms algorithms) => KeyFactory.WithoutModulusPrimalityTest(() =>
        {
            if (signerKey.Algorithm != KeyAlgorithm.Rsa) throw NeedsRsa(signerKey);
            var envelope = content == null ? null : CmsEnvelope.Seal(content, recipients, algorithms.EncryptionOid);
            var attributes = new Asn1EncodableVector
            {
                new CmsAttribute(MessageTypeOid, new DerSet(new DerPrintableString(((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                new CmsAttribute(TransactionIdOid, new DerSet(new DerPrintableString(transactionId))),
                new CmsAttribute(SenderNonceOid, new DerSet(new DerOctetString(senderNonce))),
            };
            if (recipientNonce != null) attributes.Add(new CmsAttribute(RecipientNonceOid, new DerSet(new DerOctetString(recipientNonce))));
            if (status != null)
                attributes.Add(new CmsAttribute(PkiStatusOid, new DerSet(new DerPrintableString(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            if (failInfo != null)
                attributes.Add(new CmsAttribute(FailInfoOid, new DerSet(new DerPrintableString(((int)failInfo).ToString(System.Globalization.CultureInfo.InvariantCulture)))));

            var certificate = new X509Certificate(signerCertificate);
            var signed = new CmsSignedDataGenerator();
            signed.AddSignerInfoGenerator(new SignerInfoGeneratorBuilder()
                .WithSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new CmsAttributeTable(attributes)))
                .Build(signerKey.SignatureFactory(algorithms.Hash), certificate));
            signed.AddCertificate(certificate);
            // A CertRep without an envelope (FAILURE, PENDING) carries no content at all (RFC 8894 §3.3.2).
            return (envelope == null
                ? signed.Generate(new CmsAbsentContent(), encapsulate: false)
                : signed.Generate(new CmsProcessableByteArray(envelope), encapsulate: true)).GetEncoded("DER");
        });

        /// <summary>
        /// Reads a pkiMessage and checks its signature. With <paramref name="trustedSigners"/>, the signer must be one of
        /// them (a client checks the CA's answer against the RA and CA certificates it was given); without, the signer is
        /// the certificate the message carries (a server reading a request).
        /// </summary>
        public static ScepMessage Open(byte[] der, IReadOnlyList<byte[]>? trustedSigners, string what) =>
            KeyFactory.WithoutModulusPrimalityTest(() => Read(der, trustedSigners, what));

        private static ScepMessage Read(byte[] der, IReadOnlyList<byte[]>? trustedSigners, string what)
        {
            try
            {
                var signed = new CmsSignedData(der);
                var signers = signed.GetSignerInfos().GetSigners().ToList();
                if (signers.Count != 1) throw Unreadable(what, $"it has {signers.Count} signers, not one");
                var signer = signers[0];
                var candidates = (trustedSigners ?? Array.Empty<byte[]>()).Select(c => new X509Certificate(c)).ToList();
                var certificate = trustedSigners != null
                    ? candidates.FirstOrDefault(c => signer.SignerID.Match(c))
                        ?? throw Unreadable(what, "it is not signed by the server's RA or CA certificate")
                    : signed.GetCertificates().EnumerateMatches(signer.SignerID).FirstOrDefault()
                        ?? throw Unreadable(what, "the certificate that signed it is not included");
                if (!signer.Verify(certificate)) throw Unreadable(what, "its signature does not verify");
                var table = signer.SignedAttributes ?? throw Unreadable(what, "it has no signed attributes");
                Asn1Encodable? Value(DerObjectIdentifier oid) => table[oid] is { } attribute && attribute.AttrValues.Count > 0 ? attribute.AttrValues[0] : null;
                string? Text(DerObjectIdentifier oid) => Value(oid) is IAsn1String s ? s.GetString() : null;
                byte[]? Octets(DerObjectIdentifier oid) => Value(oid) is Asn1OctetString o ? o.GetOctets() : null;
                var typeText = Text(MessageTypeOid) ?? throw Unreadable(what, "it has no messageType");
                if (!int.TryParse(typeText, out var type) || !Enum.IsDefined(typeof(ScepMessageType), type))
                    throw Unreadable(what, $"its messageType '{DisplayText.Escape(typeText)}' is not one SCEP defines");
                ScepPkiStatus? status = null;
                if (Text(PkiStatusOid) is { } statusText)
                    status = int.TryParse(statusText, out var s) && Enum.IsDefined(typeof(ScepPkiStatus), s) ? (ScepPkiStatus)s
                        : throw Unreadable(what, $"its pkiStatus '{DisplayText.Escape(statusText)}' is not SUCCESS, FAILURE or PENDING");
                ScepFailInfo? failInfo = null;
                if (Text(FailInfoOid) is { } failText && int.TryParse(failText, out var f) && Enum.IsDefined(typeof(ScepFailInfo), f))
                    failInfo = (ScepFailInfo)f;
                byte[]? envelope = null;
                if (signed.SignedContent != null)
                {
                    using var buffer = new MemoryStream();
                    signed.SignedContent.Write(buffer);
                    if (buffer.Length > 0) envelope = buffer.ToArray();
                }
                return new ScepMessage
                {
                    MessageType = (ScepMessageType)type,
                    TransactionId = Text(TransactionIdOid) ?? throw Unreadable(what, "it has no transactionID"),
                    SenderNonce = Octets(SenderNonceOid) ?? Array.Empty<byte>(),
                    RecipientNonce = Octets(RecipientNonceOid),
                    Status = status,
                    FailInfo = failInfo,
                    Envelope = envelope,
                    SignerCertificate = certificate.GetEncoded(),
                    DigestOid = signer.DigestAlgorithmID.Algorithm.Id,
                };
            }
            catch (Exception ex) when (IsUnreadable(ex))
            {
                throw Unreadable(what, ex.Message.TrimEnd('.'));
            }
        }

        /// <summary>What the crypto library throws for a message it cannot read (some of it only while parsing lazily).</summary>
        internal static bool IsUnreadable(Exception ex) =>
            ex is CmsException or ArgumentException or InvalidCastException or IOException or InvalidOperationException or IndexOutOfRangeException
                or GeneralSecurityException or SecurityUtilityException or Org.BouncyCastle.Security.Certificates.CertificateException or Org.BouncyCastle.Crypto.InvalidCipherTextException;

        /// <summary>Opens the pkcsPKIEnvelope with the recipient's key (and certificate, to pick its entry); also says which content encryption it used.</summary>
        public static (byte[] Content, string EncryptionOid) Decrypt(ScepMessage message, AsymmetricKey recipientKey, byte[]? recipientCertificate, string what)
        {
            if (message.Envelope == null) throw Unreadable(what, "it carries no pkcsPKIEnvelope");
            return KeyFactory.WithoutModulusPrimalityTest(() => CmsEnvelope.Open(message.Envelope, recipientKey, recipientCertificate, why => Unreadable(what, why)));
        }

        /// <summary>The hash a SignerInfo's digest OID names, for answering with the same one.</summary>
        public static SignatureHash HashOf(string digestOid) => digestOid switch
        {
            "1.3.14.3.2.26" => SignatureHash.Sha1,
            "2.16.840.1.101.3.4.2.2" => SignatureHash.Sha384,
            "2.16.840.1.101.3.4.2.3" => SignatureHash.Sha512,
            _ => SignatureHash.Sha256,
        };

        /// <summary>
        /// The self-signed certificate a requester without one signs with (RFC 8894 §2.3): the request's subject and key,
        /// valid for a day, used only for this exchange.
        /// </summary>
        public static byte[] RequesterCertificate(AsymmetricKey key, string subject)
        {
            var now = DateTimeOffset.UtcNow;
            return CaSigner.CreateSelfSigned(key, string.IsNullOrWhiteSpace(subject) ? "CN=SCEP requester" : subject, new IssuancePolicy
            {
                NotBefore = now.AddMinutes(-10),
                NotAfter = now.AddDays(1),
                KeyUsage = KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment,
            });
        }

        /// <summary>IssuerAndSubject (CertPoll, RFC 8894 §3.3.3): the CA's name and the requested subject, both DER.</summary>
        public static byte[] IssuerAndSubject(byte[] caCertificate, byte[] subjectName) =>
            new DerSequence(new X509Certificate(caCertificate).SubjectDN, X509Name.GetInstance(Asn1Object.FromByteArray(subjectName))).GetDerEncoded();

        public static (byte[] Issuer, byte[] Subject) ReadIssuerAndSubject(byte[] der, string what)
        {
            try
            {
                var sequence = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
                if (sequence.Count != 2) throw Unreadable(what, "its IssuerAndSubject is not two names");
                return (X509Name.GetInstance(sequence[0]).GetDerEncoded(), X509Name.GetInstance(sequence[1]).GetDerEncoded());
            }
            catch (Exception ex) when (IsUnreadable(ex)) { throw Unreadable(what, ex.Message.TrimEnd('.')); }
        }

        /// <summary>IssuerAndSerialNumber (GetCert, GetCRL, RFC 8894 §3.3.4): which certificate, by its issuer's name and serial.</summary>
        public static byte[] IssuerAndSerial(byte[] issuerCertificate, string serialHex)
        {
            Hex.TryDecode(serialHex, out var serial);
            return new IssuerAndSerialNumber(new X509Certificate(issuerCertificate).SubjectDN, new Org.BouncyCastle.Math.BigInteger(1, serial)).GetDerEncoded();
        }

        /// <summary>The serial (upper-case hex) an IssuerAndSerialNumber names, and its issuer's name as DER.</summary>
        public static (byte[] Issuer, string SerialNumber) ReadIssuerAndSerial(byte[] der, string what)
        {
            try
            {
                var value = IssuerAndSerialNumber.GetInstance(Asn1Object.FromByteArray(der));
                return (value.Issuer.GetDerEncoded(), Hex.Encode(value.SerialNumber.Value.ToByteArrayUnsigned()));
            }
            catch (Exception ex) when (IsUnreadable(ex)) { throw Unreadable(what, ex.Message.TrimEnd('.')); }
        }

        /// <summary>The subject name of a certificate or request, DER, for IssuerAndSubject.</summary>
        public static byte[] SubjectOf(byte[] certificate) => new X509Certificate(certificate).SubjectDN.GetDerEncoded();

        /// <summary>A degenerate SignedData carrying one CRL (a GetCRL answer's content).</summary>
        public static byte[] CrlOnly(byte[] crl)
        {
            var generator = new CmsSignedDataGenerator();
            generator.AddCrl(new X509Crl(crl));
            return generator.Generate(new CmsAbsentContent(), encapsulate: false).GetEncoded("DER");
        }

        /// <summary>The CRLs of a SignedData (a GetCRL answer's content).</summary>
        public static IReadOnlyList<byte[]> ReadCrls(byte[] der, string what)
        {
            try { return new CmsSignedData(der).GetCrls().EnumerateMatches(null).Select(c => c.GetEncoded()).ToList(); }
            catch (Exception ex) when (IsUnreadable(ex)) { throw Unreadable(what, ex.Message.TrimEnd('.')); }
        }

        private static PscException Unreadable(string what, string why) =>
            new PscException("ScepMessageInvalid", FailureCategory.InvalidData, $"The {what} is not a usable SCEP message: {DisplayText.Escape(why)}.");
    }
}
