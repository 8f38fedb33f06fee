using System;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// A SCEP pkiMessage as read: its signed attributes, the certificate that signed it (checked) and its
    /// pkcsPKIEnvelope still encrypted (null on a CertRep that reports FAILURE or PENDING).
    /// </summary>
    public sealed record ScepMessage
    {
        public ScepMessageType MessageType { get; init; }
        public string TransactionId { get; init; } = "";
        public byte[] SenderNonce { get; init; } = Array.Empty<byte>();
        public byte[]? RecipientNonce { get; init; }
        public ScepPkiStatus? Status { get; init; }
        public ScepFailInfo? FailInfo { get; init; }
        /// <summary>The DER EnvelopedData, decrypted with <see cref="ScepCodec.Decrypt"/>.</summary>
        public byte[]? Envelope { get; init; }
        public byte[] SignerCertificate { get; init; } = Array.Empty<byte>();
        /// <summary>The digest the signer used (answers use the same, RFC 8894 §3.2.1).</summary>
        public string DigestOid { get; init; } = "";
    }
}
