using System;
using System.Collections.Generic;
using System.Threading;

namespace PSCertConnector.Core.Connectors
{
    public abstract class CaConnectorBase : ICaConnector
    {
        public abstract string Type { get; }
        public abstract ConnectorCapabilities Capabilities { get; }

        /// <summary>What to tell a user whose request this transport cannot serve.</summary>
        protected virtual string SuggestionFor(ConnectorCapabilities capability) =>
            capability switch
            {
                ConnectorCapabilities.Approve or ConnectorCapabilities.Deny or ConnectorCapabilities.Revoke
                    or ConnectorCapabilities.ReleaseHold or ConnectorCapabilities.EnumerateIssued =>
                    "Use an 'adcs-dcom' connector (Windows, CertAdm) or the CA console for this CA.",
                _ => "Use a connector type that supports it.",
            };

        protected Exception NotSupported(ConnectorCapabilities capability) =>
            new CapabilityNotSupportedException(Type, capability, SuggestionFor(capability));

        public virtual ConnectorTestResult Test(CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.Ping);
        public virtual string? Route => null;
        public virtual string? DefaultTemplate => null;
        public virtual IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.Templates);
        public virtual IReadOnlyList<EnrollmentService> GetEnrollmentServices(CancellationToken cancellation) => Array.Empty<EnrollmentService>();
        public virtual SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.Enroll);
        public virtual SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.RetrievePending);
        // Remote protocols (CES, /certsrv, DigiCert) have no query by request attribute.
        public virtual SubmissionLookup FindSubmission(string submissionId, CancellationToken cancellation) => SubmissionLookup.CannotTell;
        public virtual SubmitResult Approve(string requestId, CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.Approve);
        public virtual SubmitResult Deny(string requestId, CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.Deny);
        public virtual void Revoke(string serialNumber, RevocationReason reason, DateTimeOffset? effectiveDate, CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.Revoke);
        public virtual void ReleaseHold(string serialNumber, CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.ReleaseHold);
        public virtual IssuedPage EnumerateIssued(string? cursor, int batchSize, CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.EnumerateIssued);
        public virtual CaCertificates GetCaCertificates(CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.CaCertificates);
        public virtual byte[] GetCrl(CancellationToken cancellation) => throw NotSupported(ConnectorCapabilities.Crl);

        public virtual void Dispose() { }
    }
}
