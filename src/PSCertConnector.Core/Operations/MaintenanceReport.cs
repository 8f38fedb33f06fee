using System;

namespace PSCertConnector.Core.Operations
{
    /// <summary>What one maintenance pass did. A second pass straight after reports nothing done.</summary>
    public sealed record MaintenanceReport
    {
        public DateTimeOffset StartedAt { get; init; }
        public DateTimeOffset FinishedAt { get; init; }
        public string Host { get; init; } = "";
        /// <summary>Connectors imported because their import was due.</summary>
        public int Imports { get; init; }
        /// <summary>Pending orders asked about (those whose next poll time had come).</summary>
        public int OrdersPolled { get; init; }
        /// <summary>Queued revocations carried out.</summary>
        public int Revocations { get; init; }
        /// <summary>Of those, orders the CA has decided since (issued or denied).</summary>
        public int OrdersSettled { get; init; }
        public int CertificatesFetched { get; init; }
        /// <summary>Renewals submitted for certificates that were due.</summary>
        public int RenewalsSubmitted { get; init; }
        /// <summary>Renewals whose successor is in place (issued at once, or approved since and fetched by this pass).</summary>
        public int Renewed { get; init; }
        public int CrlsPublished { get; init; }
        public int NotificationsSent { get; init; }
        /// <summary>Items that failed (each reported as an error and an event); the next pass tries them again.</summary>
        public int Failures { get; init; }
        public bool DidNothing => Imports + Revocations + OrdersPolled + CertificatesFetched + RenewalsSubmitted + Renewed + CrlsPublished + NotificationsSent + Failures == 0;
        public TimeSpan Duration => FinishedAt - StartedAt;
    }
}
