namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>The account a scheduled maintenance task runs as.</summary>
    public enum TaskAccountKind { System, GroupManagedServiceAccount, ServiceAccount }
}
