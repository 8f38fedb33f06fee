using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace PSCertConnector.Core.Connectors.Embedded
{
    /// <summary>The embedded CA as a connector: every capability, no server.</summary>
    public sealed class LocalConnector : CaConnectorBase
    {
        public const string TypeName = "local";
        private readonly EmbeddedCertificateAuthority _ca;

        public LocalConnector(EmbeddedCertificateAuthority ca) => _ca = ca;

        public EmbeddedCertificateAuthority Authority => _ca;
        public override string Type => TypeName;

        public override ConnectorCapabilities Capabilities =>
            ConnectorCapabilities.Ping | ConnectorCapabilities.Templates | ConnectorCapabilities.Enroll | ConnectorCapabilities.RetrievePending
            | ConnectorCapabilities.Approve | ConnectorCapabilities.Deny | ConnectorCapabilities.Revoke | ConnectorCapabilities.ReleaseHold
            | ConnectorCapabilities.EnumerateIssued | ConnectorCapabilities.CaCertificates | ConnectorCapabilities.Crl | ConnectorCapabilities.SignedRenewal;

        public override ConnectorTestResult Test(CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            var issuing = Pkix.CertificateReader.Read(_ca.IssuingCertificate);
            var ok = issuing.NotAfter > DateTimeOffset.UtcNow;
            return new ConnectorTestResult(ok,
                ok ? $"Embedded CA '{issuing.Subject}' is ready (valid until {issuing.NotAfter:yyyy-MM-dd})."
                   : $"Embedded CA '{issuing.Subject}' expired on {issuing.NotAfter:yyyy-MM-dd}.", watch.Elapsed);
        }

        public override IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation) => _ca.Templates;

        public override SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation) =>
            _ca.Submit(csrDer, template, attributes);

        public override SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation) => _ca.GetRequest(ParseId(requestId));
        public override SubmissionLookup FindSubmission(string submissionId, CancellationToken cancellation) =>
            _ca.FindSubmission(submissionId) is { } result ? SubmissionLookup.Found(result) : SubmissionLookup.NotReceived;
        public override SubmitResult Approve(string requestId, CancellationToken cancellation) => _ca.Approve(ParseId(requestId));
        public override SubmitResult Deny(string requestId, CancellationToken cancellation) => _ca.Deny(ParseId(requestId));

        public override void Revoke(string serialNumber, RevocationReason reason, DateTimeOffset? effectiveDate, CancellationToken cancellation) =>
            _ca.Revoke(serialNumber, reason, effectiveDate);

        public override void ReleaseHold(string serialNumber, CancellationToken cancellation) => _ca.ReleaseHold(serialNumber);

        public override IssuedPage EnumerateIssued(string? cursor, int batchSize, CancellationToken cancellation) => _ca.Enumerate(cursor, batchSize);

        public override CaCertificates GetCaCertificates(CancellationToken cancellation) =>
            new CaCertificates(new System.Security.Cryptography.X509Certificates.X509Certificate2(_ca.IssuingCertificate),
                new[] { new System.Security.Cryptography.X509Certificates.X509Certificate2(_ca.RootCertificate) });

        public override byte[] GetCrl(CancellationToken cancellation) => _ca.CurrentCrl();

        public override void Dispose() => _ca.Dispose();

        private static long ParseId(string requestId) =>
            long.TryParse(requestId, out var id) && id > 0 ? id
            : throw new PscException("InvalidRequestId", FailureCategory.InvalidArgument, $"The request id '{requestId}' is not a positive number.");
    }
}
