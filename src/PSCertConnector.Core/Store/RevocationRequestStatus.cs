namespace PSCertConnector.Core.Store
{
    /// <summary>Where a queued revocation stands: waiting (also after a failed attempt that will be retried), done, or given up.</summary>
    public enum RevocationRequestStatus { Queued, Revoked, Failed }
}
