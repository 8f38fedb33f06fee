using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.DigiCert;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// A connector to this Lab that can also approve and deny: everything else goes to the connector it wraps, the
    /// decision is taken on the Lab's CA, and the request is then read back through the connector as a client sees it.
    /// </summary>
    internal sealed class LabApprovalConnector : ICaConnector
    {
        private readonly ICaConnector _inner;
        private readonly LabAuthority _authority;

        public LabApprovalConnector(ICaConnector inner, LabAuthority authority)
        {
            _inner = inner;
            _authority = authority;
        }

        public string Type => _inner.Type;
        public ConnectorCapabilities Capabilities => _inner.Capabilities | ConnectorCapabilities.Approve | ConnectorCapabilities.Deny;

        public SubmitResult Approve(string requestId, CancellationToken cancellation)
        {
            _authority.Ca.Approve(CaRequestId(requestId));
            return ReadBack(requestId, SubmitStatus.Pending, cancellation);
        }

        public SubmitResult Deny(string requestId, CancellationToken cancellation)
        {
            _authority.Ca.Deny(CaRequestId(requestId));
            return ReadBack(requestId, SubmitStatus.Denied, cancellation);
        }

        /// <summary>
        /// The request as the client now sees it. DigiCert ONE hands a decided request out only through its pickup, which
        /// needs the order's pickup reference: the order is left to pick it up on its next refresh, as after a decision
        /// taken on DigiCert's console.
        /// </summary>
        private SubmitResult ReadBack(string requestId, SubmitStatus untilRefreshed, CancellationToken cancellation) =>
            _inner.Type == DigiCertOneConnector.TypeName
                ? new SubmitResult { RequestId = requestId, Status = untilRefreshed, DispositionMessage = "Decided on the Lab; refresh the order to pick it up." }
                : _inner.GetRequest(requestId, null, cancellation);

        // The Lab's CES, certsrv and DigiCert ONE all answer with the CA's own request number.
        private static long CaRequestId(string requestId) =>
            long.TryParse(requestId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
            : throw new PscException("RequestNotFound", FailureCategory.ObjectNotFound, $"The Lab's CA has no request '{requestId}'.") { Target = requestId };

        public ConnectorTestResult Test(CancellationToken cancellation) => _inner.Test(cancellation);
        public string? Route => _inner.Route;
        public string? DefaultTemplate => _inner.DefaultTemplate;
        public IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation) => _inner.GetTemplates(cancellation);
        public IReadOnlyList<EnrollmentService> GetEnrollmentServices(CancellationToken cancellation) => _inner.GetEnrollmentServices(cancellation);
        public SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation) =>
            _inner.Submit(csrDer, template, attributes, cancellation);
        public SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation) => _inner.GetRequest(requestId, referenceUri, cancellation);
        public SubmissionLookup FindSubmission(string submissionId, CancellationToken cancellation) => _inner.FindSubmission(submissionId, cancellation);
        public void Revoke(string serialNumber, RevocationReason reason, DateTimeOffset? effectiveDate, CancellationToken cancellation) =>
            _inner.Revoke(serialNumber, reason, effectiveDate, cancellation);
        public void ReleaseHold(string serialNumber, CancellationToken cancellation) => _inner.ReleaseHold(serialNumber, cancellation);
        public IssuedPage EnumerateIssued(string? cursor, int batchSize, CancellationToken cancellation) => _inner.EnumerateIssued(cursor, batchSize, cancellation);
        public CaCertificates GetCaCertificates(CancellationToken cancellation) => _inner.GetCaCertificates(cancellation);
        public byte[] GetCrl(CancellationToken cancellation) => _inner.GetCrl(cancellation);
        public void Dispose() => _inner.Dispose();
    }
}
