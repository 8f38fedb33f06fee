using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using PSCertConnector.Core;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// SCEP as NDES serves it (/certsrv/mscep/mscep.dll) over the Lab's CA: an RA certificate signs the answers and
    /// receives the requests, /certsrv/mscep_admin/ hands out one-time challenge passwords (UTF-16 page, at most
    /// <see cref="PasswordMax"/> unused at a time, 60 minutes each), and a template that needs approval leaves the
    /// request PENDING until a CA manager decides, then CertPoll collects it.
    /// </summary>
    internal sealed class LabScep : IDisposable
    {
        public const string ScepPath = "/certsrv/mscep/mscep.dll";
        public const string AdminPath = "/certsrv/mscep_admin";
        /// <summary>NDES's default PasswordMax: unused challenges it keeps before saying its cache is full.</summary>
        public const int PasswordMax = 5;
        private static readonly TimeSpan PasswordValidity = TimeSpan.FromMinutes(60);

        private readonly LabAuthority _authority;
        private readonly LabOptions _options;
        private readonly AsymmetricKey _raKey;
        private readonly ConcurrentDictionary<string, DateTimeOffset> _challenges = new(StringComparer.OrdinalIgnoreCase);
        /// <summary>Transaction id → the CA's request id, so a repeated PKCSReq or a CertPoll finds its request.</summary>
        private readonly ConcurrentDictionary<string, long> _transactions = new(StringComparer.Ordinal);

        public LabScep(LabAuthority authority, LabOptions options)
        {
            _authority = authority;
            _options = options;
            // Through PKCS#8 so that the platform's RSA signs the answers, as a Windows NDES's CNG key would.
            using (var generated = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048)) _raKey = AsymmetricKey.ImportPkcs8(generated.ExportPkcs8());
            var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=PSCertConnector Lab NDES RA, O=PSCertConnector Lab", KeyUsage = 0xa0 }, _raKey);
            var issued = authority.Ca.Submit(csr, "RA", new Dictionary<string, string>());
            RaCertificate = issued.Certificate ?? throw new PscException("LabStartFailed", FailureCategory.InvalidOperation,
                $"The Lab CA did not issue the NDES RA certificate: {issued.DispositionMessage}");
        }

        public byte[] RaCertificate { get; }

        public long? RequestOf(string transactionId) => _transactions.TryGetValue(transactionId, out var id) ? id : null;

        public sealed record Reply(int Status, string ContentType, byte[] Body);

        public string Capabilities => _options.ScepLegacy
            ? "DES3\nSHA-1\n"
            : "AES\nDES3\nPOSTPKIOperation\nSHA-1\nSHA-256\nSHA-512\n";

        /// <summary>GetCACaps, GetCACert and PKIOperation (GET with message=, or POST where the capabilities offer it).</summary>
        public Reply Operation(string? operation, string? message, byte[]? body)
        {
            switch (operation)
            {
                case "GetCACaps":
                    return new Reply(200, "text/plain", Encoding.ASCII.GetBytes(Capabilities));
                case "GetCACert":
                    return new Reply(200, "application/x-x509-ca-ra-cert",
                        Pkcs7.CertificatesOnly(new[] { RaCertificate, _authority.Ca.IssuingCertificate, _authority.Ca.RootCertificate }));
                case "PKIOperation":
                    byte[] request;
                    if (body != null)
                    {
                        if (_options.ScepLegacy) return new Reply(405, "text/plain", Encoding.ASCII.GetBytes("POST is not offered (GetCACaps has no POSTPKIOperation)."));
                        request = body;
                    }
                    else
                    {
                        try { request = Convert.FromBase64String((message ?? "").Replace(' ', '+')); }
                        catch (FormatException) { return new Reply(400, "text/plain", Encoding.ASCII.GetBytes("The message parameter is not base64.")); }
                    }
                    try { return PkiOperation(request); }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // A message the codec could not handle: say what, as a server log would.
                        return new Reply(500, "text/plain", Encoding.UTF8.GetBytes(ex.GetType().Name + ": " + ex.Message));
                    }
                default:
                    return new Reply(400, "text/plain", Encoding.ASCII.GetBytes("Unknown operation."));
            }
        }

        private Reply PkiOperation(byte[] der)
        {
            ScepMessage message;
            try { message = ScepCodec.Open(der, null, "SCEP request"); }
            catch (PscException ex) { return new Reply(400, "text/plain", Encoding.UTF8.GetBytes(ex.Message)); }
            byte[] content;
            string encryption;
            try { (content, encryption) = ScepCodec.Decrypt(message, _raKey, RaCertificate, "SCEP request"); }
            catch (PscException) { return Answer(message, ScepAlgorithms.Modern.EncryptionOid, ScepPkiStatus.Failure, ScepFailInfo.BadMessageCheck, null); }
            try
            {
                switch (message.MessageType)
                {
                    case ScepMessageType.PKCSReq:
                        return Enroll(message, encryption, content);
                    case ScepMessageType.CertPoll:
                        return _transactions.TryGetValue(message.TransactionId, out var polled)
                            ? Outcome(message, encryption, _authority.Ca.GetRequest(polled))
                            : Answer(message, encryption, ScepPkiStatus.Failure, ScepFailInfo.BadCertId, null);
                    case ScepMessageType.GetCert:
                        var (_, serial) = ScepCodec.ReadIssuerAndSerial(content, "GetCert");
                        return Outcome(message, encryption, _authority.Ca.GetBySerial(serial));
                    case ScepMessageType.GetCRL:
                        return Answer(message, encryption, ScepPkiStatus.Success, null, ScepCodec.CrlOnly(_authority.Ca.CurrentCrl()));
                    default:
                        return Answer(message, encryption, ScepPkiStatus.Failure, ScepFailInfo.BadRequest, null);
                }
            }
            catch (PscException ex) when (ex.Category is FailureCategory.ObjectNotFound)
            {
                return Answer(message, encryption, ScepPkiStatus.Failure, ScepFailInfo.BadCertId, null);
            }
            catch (PscException)
            {
                return Answer(message, encryption, ScepPkiStatus.Failure, ScepFailInfo.BadRequest, null);
            }
        }

        /// <summary>A PKCSReq: the challenge must be one handed out and unused (or the Lab's fixed one); a repeat of a known transaction gets its state.</summary>
        private Reply Enroll(ScepMessage message, string encryption, byte[] csr)
        {
            if (_transactions.TryGetValue(message.TransactionId, out var known))
                return Outcome(message, encryption, _authority.Ca.GetRequest(known));
            var challenge = CsrParser.ChallengePassword(csr);
            if (!TakeChallenge(challenge))
                return Answer(message, encryption, ScepPkiStatus.Failure, ScepFailInfo.BadRequest, null);
            var result = _authority.Ca.Submit(csr, _options.ScepTemplate, new Dictionary<string, string>());
            if (result.RequestId != null && long.TryParse(result.RequestId, out var id)) _transactions[message.TransactionId] = id;
            return Outcome(message, encryption, result);
        }

        private bool TakeChallenge(string? challenge)
        {
            if (challenge == null) return false;
            if (_options.ScepChallenge != null
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(challenge), Encoding.UTF8.GetBytes(_options.ScepChallenge)))
                return true;
            return _challenges.TryRemove(challenge, out var expires) && expires > DateTimeOffset.UtcNow;
        }

        private Reply Outcome(ScepMessage message, string encryption, SubmitResult result) => result.Status switch
        {
            SubmitStatus.Issued when result.Certificate != null =>
                Answer(message, encryption, ScepPkiStatus.Success, null, Pkcs7.CertificatesOnly(new[] { result.Certificate })),
            SubmitStatus.Pending => Answer(message, encryption, ScepPkiStatus.Pending, null, null),
            _ => Answer(message, encryption, ScepPkiStatus.Failure, ScepFailInfo.BadRequest, null),
        };

        private Reply Answer(ScepMessage request, string encryption, ScepPkiStatus status, ScepFailInfo? failInfo, byte[]? content)
        {
            var algorithms = new ScepAlgorithms(encryption, ScepCodec.HashOf(request.DigestOid));
            var body = ScepCodec.Seal(ScepMessageType.CertRep, request.TransactionId, ScepCodec.NewNonce(), request.SenderNonce, status, failInfo,
                content, new[] { request.SignerCertificate }, RaCertificate, _raKey, algorithms);
            return new Reply(200, "application/x-pki-message", body);
        }

        /// <summary>The mscep_admin page for an authenticated account: a new one-time challenge, or NDES's refusal when its cache is full.</summary>
        public Reply AdminPage()
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var expired in _challenges.Where(c => c.Value <= now).Select(c => c.Key).ToList()) _challenges.TryRemove(expired, out _);
            string inner;
            if (_challenges.Count >= PasswordMax)
            {
                inner = "<P> The password cache is full. New passwords can be issued only after the cached passwords are used or expire. </P>";
            }
            else
            {
                var challenge = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
                _challenges[challenge] = now + PasswordValidity;
                var thumbprint = Convert.ToHexString(SHA256.HashData(_authority.Ca.IssuingCertificate));
                inner = "<P> To complete certificate enrollment for your network device you will need the following information: " +
                        $"<P> The thumbprint (hash value) for the CA certificate is: <B> {thumbprint} </B> " +
                        $"<P> The enrollment challenge password is: <B> {challenge} </B> " +
                        "<P> This password can be used only once and will expire within 60 minutes. ";
            }
            var html = "<HTML><Head><Meta HTTP-Equiv=\"Content-Type\" Content=\"text/html; charset=UTF-16\"><Title>Network Device Enrollment Service</Title></Head>" +
                       "<Body BgColor=#FFFFFF><Font ID=locPageFont Face=\"Arial\"><P> Network Device Enrollment Service allows you to obtain certificates for routers " +
                       "or other network devices using the Simple Certificate Enrollment Protocol (SCEP). </P>" + inner + "</Font></Body></HTML>";
            return new Reply(200, "text/html; charset=utf-16", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(html)).ToArray());
        }

        public void Dispose() => _raKey.Dispose();
    }
}
