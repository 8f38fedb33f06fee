using System;

namespace PSCertConnector.Core.Events
{
    /// <summary>
    /// Event ids by area. The first ranges follow the Intune Certificate Connector's (0001–0999 general, 1000–1999
    /// enrollment, 2000–2999 import, 3000–3999 revocation, 4000–4999 SCEP); 5000 onwards are ours. Within a range, x001
    /// onwards are successes, x100 onwards failures, x200 onwards failed attempts the next pass retries. Ids never change
    /// meaning once released: monitoring rules are written against them.
    /// </summary>
    public static class EventIds
    {
        // 0001–0999 general
        public const int EventLogRotated = 10;

        // 1000–1999 enrollment
        public const int RequestIssued = 1001;
        public const int RequestPending = 1002;
        public const int PendingRequestIssued = 1003;
        public const int CertificateFetched = 1004;
        public const int PendingRequestStillPending = 1005;
        public const int RequestAutoApproved = 1006;
        public const int RequestApprovedOverFindings = 1007;
        /// <summary>A PFX with a key made here was issued and delivered (password or recipient).</summary>
        public const int PfxIssued = 1008;
        public const int RequestDenied = 1100;
        public const int RequestFailed = 1101;
        public const int AutoApprovalWithheld = 1102;
        public const int PfxFailed = 1103;
        public const int PollFailedWillRetry = 1200;

        // 2000–2999 import
        public const int ImportSucceeded = 2001;
        public const int ImportNotDue = 2002;
        public const int ImportTakenElsewhere = 2003;
        /// <summary>An imported PFX was opened and encrypted again to a new recipient.</summary>
        public const int PfxReencrypted = 2004;
        public const int ImportFailed = 2100;
        public const int PfxReencryptFailed = 2101;

        // 3000–3999 revocation (and the CRLs that publish it)
        public const int CertificateRevoked = 3001;
        public const int CrlPublished = 3002;
        /// <summary>A revocation was accepted into the queue; the maintenance pass carries it out.</summary>
        public const int RevocationQueued = 3003;
        public const int RevocationFailed = 3100;
        public const int CrlPublishFailed = 3101;
        /// <summary>A queued revocation could not reach its CA; the next pass tries again.</summary>
        public const int RevocationFailedWillRetry = 3200;

        // 4000–4999 SCEP (reserved)

        // 5000–5999 renewal
        public const int CertificateRenewed = 5001;
        public const int RenewalPending = 5002;
        public const int RenewalFailed = 5100;
        public const int RenewalFailedWillRetry = 5200;

        // 6000–6999 notification
        public const int NotificationSent = 6001;
        public const int NotificationFailedWillRetry = 6200;

        // 7000–7999 maintenance
        public const int MaintenancePassStarted = 7001;
        public const int MaintenancePassFinished = 7002;
        public const int ServiceStarted = 7003;
        public const int ServiceStopped = 7004;
        public const int MaintenancePassFinishedWithFailures = 7100;
        public const int MaintenancePassFailed = 7101;

        // 4000–4999 SCEP: the enrollment events of requests that went through SCEP (NDES or another server), 3000 above
        // their enrollment counterparts, as the Intune connector keeps SCEP in an area of its own.
        public const int ScepRequestIssued = 4001;
        public const int ScepRequestPending = 4002;
        public const int ScepPendingRequestIssued = 4003;
        public const int ScepPendingRequestStillPending = 4005;
        public const int ScepRequestDenied = 4100;
        public const int ScepRequestFailed = 4101;
        public const int ScepPollFailedWillRetry = 4200;

        /// <summary>The SCEP-area id of an enrollment event (1xxx becomes 4xxx); other ids stay as they are.</summary>
        public static int InScepArea(int enrollmentId) => enrollmentId is >= 1000 and < 2000 ? enrollmentId + 3000 : enrollmentId;

        /// <summary>The area an id's range belongs to.</summary>
        public static string AreaOf(int id) => (id / 1000) switch
        {
            0 => "General",
            1 => "Enrollment",
            2 => "Import",
            3 => "Revocation",
            4 => "Scep",
            5 => "Renewal",
            6 => "Notification",
            7 => "Maintenance",
            _ => "General",
        };

        /// <summary>The area names <see cref="AreaOf"/> gives, for validating filters.</summary>
        public static readonly string[] Areas = { "General", "Enrollment", "Import", "Revocation", "Scep", "Renewal", "Notification", "Maintenance" };

        public static EventOutcome OutcomeOf(int id) => (id % 1000) switch
        {
            >= 200 => EventOutcome.Retry,
            >= 100 => EventOutcome.Failure,
            _ => EventOutcome.Success,
        };
    }
}
