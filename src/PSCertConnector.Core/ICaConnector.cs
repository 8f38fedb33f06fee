using System;
using System.Collections.Generic;
using System.Threading;

namespace PSCertConnector.Core
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
        /// <summary>How requests travel to the CA (direct, or through which proxy and why); null for transports that are not HTTPS.</summary>
        string? Route { get; }
        IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation);
        /// <summary>The template orders record when a request names none: what a server that picks its own issues with (SCEP); null otherwise.</summary>
        string? DefaultTemplate { get; }
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
}
