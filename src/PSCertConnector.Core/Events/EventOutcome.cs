namespace PSCertConnector.Core.Events
{
    /// <summary>Success, failure, or a failed attempt that the next pass retries.</summary>
    public enum EventOutcome { Success, Failure, Retry, Info }
}
