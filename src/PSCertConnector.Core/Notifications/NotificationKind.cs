namespace PSCertConnector.Core.Notifications
{
    /// <summary>What a notification is about.</summary>
    public enum NotificationKind { Expiring, PendingApproval, Issued, Denied, ImportFailed, CrlDue, Test }
}
