using System;
using System.Collections.Generic;
using System.Threading;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>
    /// One CA behind one transport. A connector declares what its transport can do; the base class turns
    /// any other request into a CapabilityNotSupportedException naming the transport that can.
    /// </summary>
    public interface ICaConnector : IDisposable
    {
        string Type { get; }
        ConnectorCapabilities Capabilities { get; }
        ConnectorTestResult Test(CancellationToken cancellation);
        IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation);
        /// <summary>The enrollment endpoints a policy service lists (CEP); empty for transports without one.</summary>
        IReadOnlyList<EnrollmentService> GetEnrollmentServices(CancellationToken cancellation);
        SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation);
        /// <param name="referenceUri">Where the CA said to ask again (CES keeps it on the order); null when none was given.</param>
        SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation);
        /// <summary>The request a submission with this id became (see <see cref="SubmissionLookup"/>), for reconciling an interrupted submit.</summary>
        SubmissionLookup FindSubmission(string submissionId, CancellationToken cancellation);
        SubmitResult Approve(string requestId, CancellationToken cancellation);
        SubmitResult Deny(string requestId, CancellationToken cancellation);
        void Revoke(string serialNumber, RevocationReason reason, DateTimeOffset? effectiveDate, CancellationToken cancellation);
        void ReleaseHold(string serialNumber, CancellationToken cancellation);
        IssuedPage EnumerateIssued(string? cursor, int batchSize, CancellationToken cancellation);
        CaCertificates GetCaCertificates(CancellationToken cancellation);
        byte[] GetCrl(CancellationToken cancellation);
    }

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
