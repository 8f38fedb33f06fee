using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>
    /// A SCEP server (RFC 8894): NDES in front of AD CS ('adcs-ndes'), or any other ('scep'); both families share it. Requests are signed with the request's own key
    /// (kept in the inventory when 'request new' made it) and carry the challenge password; the CA's answer is
    /// encrypted back to that key. A pending request is polled with CertPoll under its transaction id.
    /// </summary>
    public sealed class ScepConnector : CaConnectorBase
    {
        /// <summary>The template orders record when the connector's 'template' setting names none.</summary>
        public const string DefaultTemplateName = "SCEP";

        /// <summary>Where a pending request's subject is kept on the order, for CertPoll's IssuerAndSubject.</summary>
        private const string PollReferencePrefix = "scep-poll:";

        private readonly IScepChannel _channel;
        private readonly Func<CancellationToken, string?> _challenge;
        private readonly Func<string, AsymmetricKey?>? _requesterKey;
        private readonly string? _caFingerprint;
        private readonly string? _caIdentifier;
        private ScepCapabilities? _capabilities;
        private ScepServerCertificates? _certificates;

        /// <param name="challenge">The challenge password for a request (a static one, or one fetched per request from NDES); null when the server asks none.</param>
        /// <param name="requesterKey">The kept private key of a request, by public key id.</param>
        /// <param name="caFingerprint">SHA-256 of the CA certificate GetCACert must return (required over plain HTTP).</param>
        internal ScepConnector(string type, IScepChannel channel, Uri endpoint, Func<CancellationToken, string?> challenge,
            Func<string, AsymmetricKey?>? requesterKey, string? caFingerprint, string? caIdentifier, string? template)
        {
            DefaultTemplate = template ?? DefaultTemplateName;
            Type = type;
            _channel = channel;
            Endpoint = endpoint;
            _challenge = challenge;
            _requesterKey = requesterKey;
            _caFingerprint = caFingerprint;
            _caIdentifier = caIdentifier;
        }

        public override string Type { get; }
        public override string? DefaultTemplate { get; }
        public Uri Endpoint { get; }

        public override ConnectorCapabilities Capabilities =>
            ConnectorCapabilities.Ping | ConnectorCapabilities.Enroll | ConnectorCapabilities.RetrievePending | ConnectorCapabilities.CaCertificates | ConnectorCapabilities.Crl;

        protected override string SuggestionFor(ConnectorCapabilities capability) => capability switch
        {
            ConnectorCapabilities.Templates => "A SCEP server issues with the template it is configured for (NDES: its registry); name it with the connector's 'template' setting.",
            _ => base.SuggestionFor(capability),
        };

        public override string? Route => _channel.RouteTo(Endpoint);

        public override ConnectorTestResult Test(CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            var capabilities = ServerCapabilities(cancellation);
            var certificates = ServerCertificates(cancellation);
            var ra = certificates.Ra.Count == 0 ? "the CA signs and decrypts itself" : "RA " + string.Join(", ", certificates.Ra.Select(r => "'" + Name(r) + "'"));
            return new ConnectorTestResult(true,
                $"{Endpoint} answered: CA '{Name(certificates.Ca)}', {ra}; capabilities: {capabilities} (requests use {capabilities.Algorithms.Describe()}).", watch.Elapsed);
        }

        private static string Name(byte[] certificate) => CertificateReader.Read(certificate) is var details && details.CommonName != null ? details.CommonName : details.Subject;

        public override SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation)
        {
            if (SignedRenewalRequest.IsSignedData(csrDer))
                throw new PscException("ScepRenewalNotSupported", FailureCategory.InvalidArgument,
                    "A SCEP connector sends new requests (PKCSReq), not Windows-signed renewals: renew with a new request instead.");
            var info = CsrParser.Parse(csrDer);
            using var key = RequireKey(info.PublicKeyId);
            if (key.Algorithm != KeyAlgorithm.Rsa)
            {
                var notRsa = ScepCodec.NeedsRsa(key);
                notRsa.BeforeSending = true; // checked before a one-time challenge is spent on it
                throw notRsa;
            }
            ScepServerCertificates certificates;
            byte[] request;
            try
            {
                // The server's certificates and capabilities, and a challenge: nothing of the request has left yet.
                certificates = ServerCertificates(cancellation);
                ServerCapabilities(cancellation);
                var challenge = _challenge(cancellation);
                request = challenge == null ? csrDer : CsrBuilder.WithChallengePassword(csrDer, challenge, key);
            }
            catch (PscException ex)
            {
                ex.BeforeSending = true;
                throw;
            }
            var reply = Exchange(ScepMessageType.PKCSReq, key, info.Subject, request, certificates, cancellation);
            return Result(reply, key, CsrParser.SubjectName(info.Der), certificates, submitting: true);
        }

        public override SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation)
        {
            if (referenceUri == null || !referenceUri.StartsWith(PollReferencePrefix, StringComparison.Ordinal))
                throw new PscException("ScepPollUnknown", FailureCategory.InvalidArgument,
                    $"Request {requestId} was not made through this SCEP connector: there is no subject to poll it with (CertPoll).") { Target = requestId };
            byte[] subject;
            try { subject = Convert.FromBase64String(referenceUri.Substring(PollReferencePrefix.Length)); }
            catch (FormatException) { throw new PscException("ScepPollUnknown", FailureCategory.InvalidData, $"The poll reference of request {requestId} is damaged.") { Target = requestId }; }
            using var key = RequireKey(requestId);
            var certificates = ServerCertificates(cancellation);
            var subjectText = DistinguishedNames.FormatDer(subject, out _);
            var reply = Exchange(ScepMessageType.CertPoll, key, subjectText, ScepCodec.IssuerAndSubject(certificates.Ca, subject), certificates, cancellation);
            return Result(reply, key, subject, certificates, submitting: false);
        }

        public override CaCertificates GetCaCertificates(CancellationToken cancellation)
        {
            var certificates = ServerCertificates(cancellation);
            return new CaCertificates(new X509Certificate2(certificates.Ca), certificates.Chain.Select(c => new X509Certificate2(c)).ToList());
        }

        /// <summary>
        /// GetCert (RFC 8894 §3.3.4): a certificate the CA issued, by its serial, signed with a key made for this one
        /// message. Null when the server has no such certificate (badCertId).
        /// </summary>
        public byte[]? GetCertificate(string serialNumber, CancellationToken cancellation)
        {
            var wanted = Hex.NormalizeSerial(serialNumber);
            var (answer, content) = Query(ScepMessageType.GetCert, "CN=SCEP GetCert", certificates => ScepCodec.IssuerAndSerial(certificates.Ca, wanted), cancellation);
            if (answer.Status == ScepPkiStatus.Failure && answer.FailInfo == ScepFailInfo.BadCertId) return null;
            if (content == null)
                throw new PscException("ScepGetCertRefused", FailureCategory.InvalidOperation,
                    $"{Endpoint.Host} did not return certificate {serialNumber}: {Describe(answer)}.") { Target = serialNumber };
            return Pkcs7.ReadCertificates(content, "GetCert answer").FirstOrDefault(c => CertificateReader.Read(c).SerialNumber == wanted);
        }

        /// <summary>GetCRL for the issuing CA, signed with a key made for this one message (the server needs no identity for it).</summary>
        public override byte[] GetCrl(CancellationToken cancellation)
        {
            var (answer, content) = Query(ScepMessageType.GetCRL, "CN=SCEP CRL request",
                certificates => ScepCodec.IssuerAndSerial(certificates.Ca, CertificateReader.Read(certificates.Ca).SerialNumber), cancellation);
            if (content == null)
                throw new PscException("ScepCrlRefused", FailureCategory.InvalidOperation,
                    $"{Endpoint.Host} did not return its CRL: {Describe(answer)}.") { Target = Endpoint.ToString() };
            var crls = ScepCodec.ReadCrls(content, "GetCRL answer");
            return crls.Count > 0 ? crls[0]
                : throw new PscException("ScepCrlRefused", FailureCategory.InvalidData, $"{Endpoint.Host} answered GetCRL with no CRL.") { Target = Endpoint.ToString() };
        }

        /// <summary>
        /// A query that needs no identity (GetCert, GetCRL): signed with a key made for this one message; the answer, and
        /// its decrypted content when it is SUCCESS.
        /// </summary>
        private (ScepMessage Answer, byte[]? Content) Query(ScepMessageType type, string signerSubject, Func<ScepServerCertificates, byte[]> content, CancellationToken cancellation)
        {
            var certificates = ServerCertificates(cancellation);
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var answer = Exchange(type, key, signerSubject, content(certificates), certificates, cancellation).Message;
            return (answer, answer.Status == ScepPkiStatus.Success ? ScepCodec.Decrypt(answer, key, null, type + " answer").Content : null);
        }

        /// <summary>A caFingerprint setting as 64 upper-case hex digits (colons and spaces allowed in the input).</summary>
        internal static string? ReadFingerprint(string? value)
        {
            if (value == null) return null;
            var normalized = Hex.NormalizeThumbprint(value);
            return normalized.Length == 64 ? normalized : throw HttpsServiceSettings.Invalid("caFingerprint", value, "a SHA-256 fingerprint (64 hex digits)");
        }

        private AsymmetricKey RequireKey(string publicKeyId) =>
            _requesterKey?.Invoke(publicKeyId) ?? throw new PscException("ScepRequestKeyMissing", FailureCategory.InvalidArgument,
                "SCEP signs a request with its own private key, and this host does not keep the key of this request. Make the request here " +
                $"({UserText.Command("request new", "New-RaCertificateRequest")}), or submit it through another connector type.") { Target = publicKeyId };

        private ScepCapabilities ServerCapabilities(CancellationToken cancellation)
        {
            if (_capabilities != null) return _capabilities;
            var reply = _channel.Get(OperationUri("GetCACaps", _caIdentifier), "SCEP capabilities (GetCACaps)", cancellation);
            return _capabilities = ScepCapabilities.Parse(reply.Text);
        }

        private ScepServerCertificates ServerCertificates(CancellationToken cancellation)
        {
            if (_certificates != null) return _certificates;
            var reply = _channel.Get(OperationUri("GetCACert", _caIdentifier), "SCEP CA certificates (GetCACert)", cancellation);
            IReadOnlyList<byte[]> list = string.Equals(reply.MediaType, "application/x-x509-ca-ra-cert", StringComparison.OrdinalIgnoreCase)
                ? Pkcs7.ReadCertificates(reply.Body, "GetCACert answer")
                : new[] { Pem.ReadPemOrDer(reply.Body, "GetCACert answer", "CERTIFICATE") };
            var sorted = ScepServerCertificates.Sort(list, Endpoint.Host);
            if (_caFingerprint != null && !sorted.HasFingerprint(_caFingerprint))
                throw new PscException("ScepCaFingerprintMismatch", FailureCategory.SecurityError,
                    $"{Endpoint.Host} returned the CA certificate '{CertificateReader.Read(sorted.Ca).Subject}' (SHA-256 {CertificateReader.Read(sorted.Ca).ThumbprintSha256}), " +
                    $"not the one the connector's caFingerprint names ({_caFingerprint}). Nothing was sent. If the CA was renewed, set the new fingerprint.") { Target = Endpoint.ToString() };
            sorted.RequireConsistent(_caFingerprint, Endpoint.Host);
            return _certificates = sorted;
        }

        private Uri OperationUri(string operation, string? message)
        {
            var query = "operation=" + operation + (message == null ? "" : "&message=" + Uri.EscapeDataString(message));
            return new UriBuilder(Endpoint) { Query = query }.Uri;
        }

        private sealed record Reply(ScepMessage Message, byte[] SenderNonce, string TransactionId);

        /// <summary>Seals one request, sends it (POST where the server takes it, else GET) and opens the signed answer.</summary>
        private Reply Exchange(ScepMessageType type, AsymmetricKey key, string signerSubject, byte[] content, ScepServerCertificates certificates, CancellationToken cancellation)
        {
            var capabilities = ServerCapabilities(cancellation);
            var nonce = ScepCodec.NewNonce();
            var transactionId = key.KeyId;
            var signer = ScepCodec.RequesterCertificate(key, signerSubject);
            var message = ScepCodec.Seal(type, transactionId, nonce, null, null, null, content, certificates.Recipients, signer, key, capabilities.Algorithms);
            var what = $"SCEP {type}";
            var reply = capabilities.Post
                ? _channel.Post(OperationUri("PKIOperation", null), message, "application/x-pki-message", what, cancellation)
                : _channel.Get(OperationUri("PKIOperation", Convert.ToBase64String(message)), what, cancellation);
            var answer = ScepCodec.Open(reply.Body, certificates.Signers, $"{type} answer from {Endpoint.Host}");
            if (answer.MessageType != ScepMessageType.CertRep)
                throw Invalid($"it is a {answer.MessageType}, not a CertRep");
            if (answer.TransactionId != transactionId)
                throw Invalid($"it answers transaction {DisplayText.Escape(answer.TransactionId)}, not {transactionId}");
            if (answer.RecipientNonce == null || !answer.RecipientNonce.AsSpan().SequenceEqual(nonce))
                throw Invalid("its recipientNonce is not the nonce this request sent (a replayed or forged answer)");
            return new Reply(answer, nonce, transactionId);
        }

        private SubmitResult Result(Reply reply, AsymmetricKey key, byte[] subject, ScepServerCertificates certificates, bool submitting)
        {
            var message = reply.Message;
            switch (message.Status)
            {
                case ScepPkiStatus.Success:
                    var issued = Pkcs7.ReadCertificates(ScepCodec.Decrypt(message, key, null, "CertRep").Content, "CertRep");
                    var leaf = issued.FirstOrDefault(c => CertificateReader.Read(c).PublicKeyId == key.KeyId)
                        ?? throw Invalid("the certificate it returns is not for the request's key");
                    if (!KeyFactory.IsIssuedBy(leaf, certificates.Ca))
                        throw Invalid("the certificate it returns was not issued by its CA");
                    var chain = issued.Where(c => !ReferenceEquals(c, leaf)).Concat(new[] { certificates.Ca }.Concat(certificates.Chain))
                        .GroupBy(c => CertificateReader.Read(c).ThumbprintSha1).Select(g => g.First()).ToList();
                    return new SubmitResult
                    {
                        RequestId = reply.TransactionId,
                        Status = SubmitStatus.Issued,
                        Disposition = RequestDisposition.Issued,
                        DispositionMessage = "Issued",
                        Certificate = leaf,
                        Chain = chain,
                    };
                case ScepPkiStatus.Pending:
                    return new SubmitResult
                    {
                        RequestId = reply.TransactionId,
                        Status = SubmitStatus.Pending,
                        Disposition = RequestDisposition.UnderSubmission,
                        DispositionMessage = "The SCEP server holds the request for a CA manager; refreshing the order polls it (CertPoll).",
                        ReferenceUri = PollReferencePrefix + Convert.ToBase64String(subject),
                    };
                case ScepPkiStatus.Failure when submitting || message.FailInfo is null or ScepFailInfo.BadRequest or ScepFailInfo.BadCertId:
                    return new SubmitResult
                    {
                        // A refused submission leaves nothing at the CA to follow; a refused poll means the request was denied.
                        RequestId = submitting ? null : reply.TransactionId,
                        Status = submitting ? SubmitStatus.Failed : SubmitStatus.Denied,
                        Disposition = submitting ? RequestDisposition.Error : RequestDisposition.Denied,
                        DispositionMessage = $"The SCEP server refused the request: {Describe(message)}.",
                    };
                case ScepPkiStatus.Failure:
                    // The server could not read this poll (its RA certificate changed, the clocks differ): the request itself stands.
                    _certificates = null;
                    throw new PscException("ScepPollRefused", FailureCategory.InvalidOperation,
                        $"{Endpoint.Host} could not answer the poll of request {reply.TransactionId}: {Describe(message)}. The order stays pending and is polled again.") { Target = reply.TransactionId };
                default:
                    throw Invalid("it carries no pkiStatus");
            }
        }

        private static string Describe(ScepMessage message) => message.FailInfo switch
        {
            ScepFailInfo.BadRequest => "badRequest (the challenge password is wrong, used or expired, or the request breaks the server's policy)",
            ScepFailInfo.BadMessageCheck => "badMessageCheck (the server could not verify the message's signature)",
            ScepFailInfo.BadAlg => "badAlg (the server does not accept the algorithms used)",
            ScepFailInfo.BadTime => "badTime (this host's clock differs too much from the server's)",
            ScepFailInfo.BadCertId => "badCertId (the server has no such certificate or request)",
            _ => message.Status == ScepPkiStatus.Failure ? "FAILURE without a reason" : $"status {message.Status}",
        };

        private PscException Invalid(string why) =>
            new PscException("ScepMessageInvalid", FailureCategory.InvalidData, $"The answer from {Endpoint.Host} is not usable: {why}.") { Target = Endpoint.ToString() };

        public override void Dispose() => _channel.Dispose();
    }
}
