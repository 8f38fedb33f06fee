using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// The revocation queue, as the Intune connector keeps one: revocations are accepted now (from a file or a pipeline)
    /// and carried out by the maintenance pass. A CA that cannot be reached is tried again, each time later (five
    /// minutes, doubling, at most four hours apart), for as long as it takes; a CA that refuses is recorded as Failed with
    /// its reason. Each request keeps its outcome, so nothing asked for is lost.
    /// </summary>
    public sealed class RevocationQueueOperations : OperationBase
    {
        public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(5);
        public static readonly TimeSpan LongestRetryDelay = TimeSpan.FromHours(4);
        private static readonly TimeSpan AttemptLease = TimeSpan.FromMinutes(10);

        public RevocationQueueOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>How long a request waits after its <paramref name="attempts"/>-th failed attempt.</summary>
        public static TimeSpan RetryDelay(int attempts)
        {
            var minutes = FirstRetryDelay.TotalMinutes * Math.Pow(2, Math.Max(0, Math.Min(attempts - 1, 10)));
            return TimeSpan.FromMinutes(Math.Min(minutes, LongestRetryDelay.TotalMinutes));
        }

        /// <summary>Accepts revocations into the queue; a certificate already queued keeps its request. Nothing is sent to a CA here.</summary>
        public void Queue(IEnumerable<RevocationInput> inputs)
        {
            var inventory = new InventoryOperations(Workspace, Sink);
            foreach (var input in inputs)
            {
                ForItem(input.Selector.ToString(), () =>
                {
                    if (input.Reason == RevocationReason.RemoveFromCrl)
                        throw new PscException("ReleaseNotQueued", FailureCategory.InvalidArgument,
                            $"A release from hold is not queued: release {input.Selector} at once ({UserText.Command("revoke SERIAL --reason remove-from-crl", "Revoke-Certificate -Reason RemoveFromCrl")}).") { Target = input.Selector.ToString() };
                    var certificate = inventory.Find(input.Selector);
                    // A transport that cannot revoke would only fail on every pass: say so now.
                    var connector = Workspace.Connect(certificate.Connector);
                    if ((connector.Capabilities & ConnectorCapabilities.Revoke) == 0)
                        throw new CapabilityNotSupportedException(connector.Type, ConnectorCapabilities.Revoke,
                            "Queue it on a connector that can revoke for this CA ('adcs-dcom', DigiCert, the embedded CA), or revoke it on the CA.");
                    if (!Sink.ShouldProcess($"certificate {certificate.SerialNumber} '{certificate.Subject}' on connector '{certificate.Connector}'", $"Queue revocation ({input.Reason})")) return;
                    var (request, added) = Workspace.Store.QueueRevocation(certificate, input.Reason, input.EffectiveDate);
                    if (!added)
                        Sink.WriteWarning($"Certificate {certificate.SerialNumber} is already queued for revocation (request {request.Id}, {request.Reason}); it is not queued again.");
                    else
                        Event(EventIds.RevocationQueued, EventChannel.Operational,
                            $"The revocation of certificate {certificate.SerialNumber} ('{certificate.Subject}', {input.Reason}) was queued as request {request.Id}.", certificate.Connector, certificate.SerialNumber);
                    Sink.WriteObject(request);
                }, EventIds.RevocationFailed);
            }
        }

        /// <summary>The requests in a state (all when null), newest first.</summary>
        public void List(RevocationRequestStatus? status)
        {
            foreach (var request in Workspace.Store.ListRevocations(status)) Sink.WriteObject(request);
        }

        /// <summary>
        /// Carries out the requests whose attempt is due, each under a lease so that two passes (or hosts) never revoke the
        /// same one twice. Returns how many were revoked.
        /// </summary>
        public int ProcessDue()
        {
            var now = DateTimeOffset.UtcNow;
            int revoked = 0;
            var inventory = new InventoryOperations(Workspace, Sink);
            foreach (var request in Workspace.Store.RevocationsDue(now))
            {
                var unit = "revocation:" + request.Id.ToString(CultureInfo.InvariantCulture);
                if (!Sink.ShouldProcess($"queued request {request.Id}: certificate {request.SerialNumber} '{request.Subject}' on '{request.Connector}'", $"Revoke ({request.Reason})")) continue;
                if (!Workspace.Store.TryClaimWork(unit, "certificates", request.CertificateId, AttemptLease,
                        () => Workspace.Store.GetRevocation(request.Id) is { Status: RevocationRequestStatus.Queued } current && (current.NextAttemptAt ?? now) <= DateTimeOffset.UtcNow))
                    continue;
                try
                {
                    var certificate = Workspace.Store.QueryCertificates(new CertificateQuery { SerialNumber = request.SerialNumber, Connector = request.Connector })
                        .SingleOrDefault(c => c.Id == request.CertificateId);
                    if (certificate == null)
                    {
                        GiveUp(request, new PscException("CertificateNotFound", FailureCategory.ObjectNotFound,
                            $"Certificate {request.SerialNumber} is no longer in the inventory."));
                        continue;
                    }
                    if (certificate.RevokedAt != null && certificate.RevocationReason == request.Reason)
                    {
                        // Revoked already, as asked (by hand meanwhile, or by a pass that stopped before recording this request).
                        Sink.WriteObject(Workspace.Store.RecordRevocationAttempt(request.Id, RevocationRequestStatus.Revoked, null, null));
                        revoked++;
                        continue;
                    }
                    try
                    {
                        // Revoked as of when it was asked for, unless a date was given: the CRL then says since when it is not to be trusted.
                        inventory.RevokeOne(certificate, request.Reason, request.EffectiveAt ?? request.RequestedAt, request.Id);
                        Sink.WriteObject(Workspace.Store.RecordRevocationAttempt(request.Id, RevocationRequestStatus.Revoked, null, null));
                        revoked++;
                    }
                    catch (PscException ex) when (WillRetry(ex))
                    {
                        var attempts = request.Attempts + 1;
                        var next = DateTimeOffset.UtcNow + RetryDelay(attempts);
                        var updated = Workspace.Store.RecordRevocationAttempt(request.Id, RevocationRequestStatus.Queued, ex.Message, next);
                        var message = $"The queued revocation {request.Id} of certificate {request.SerialNumber} ('{request.Subject}') could not reach '{request.Connector}' " +
                                      $"(attempt {attempts}: {ex.Message}); it is tried again after {next:u}.";
                        Sink.WriteWarning(message);
                        Event(EventIds.RevocationFailedWillRetry, EventChannel.Admin, message, request.Connector, request.SerialNumber, ex.ErrorId, EventOutcome.Retry);
                        Sink.WriteObject(updated);
                    }
                    catch (PscException ex)
                    {
                        GiveUp(request, ex);
                    }
                }
                finally { Workspace.Store.ReleaseWork(unit); }
            }
            return revoked;
        }

        /// <summary>A CA that did not answer, or answered that it cannot now, may do better later; a refusal will not change.</summary>
        private static bool WillRetry(PscException ex) =>
            ex is Protocols.ServiceUnavailableException || ex.Category is FailureCategory.ConnectionError or FailureCategory.OperationTimeout;

        private void GiveUp(RevocationRequest request, PscException ex)
        {
            var updated = Workspace.Store.RecordRevocationAttempt(request.Id, RevocationRequestStatus.Failed, ex.Message, null);
            Event(EventIds.RevocationFailed, EventChannel.Admin,
                $"The queued revocation {request.Id} of certificate {request.SerialNumber} ('{request.Subject}') failed and is not tried again: {ex.Message}",
                request.Connector, request.SerialNumber, ex.ErrorId);
            Sink.WriteError(PscError.From(ex, request.SerialNumber));
            Sink.WriteObject(updated);
        }
    }
}
