namespace PSCertConnector.Core.Events
{
    /// <summary>How an event reads at a glance, as in the Windows event log.</summary>
    public enum EventLevel { Information, Warning, Error }
}
