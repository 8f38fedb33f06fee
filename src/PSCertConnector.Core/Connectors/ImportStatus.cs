namespace PSCertConnector.Core.Connectors
{
    /// <summary>The states an import selection names: valid, revoked, or past its end date.</summary>
    public enum ImportStatus
    {
        Issued,
        Revoked,
        Expired,
    }
}
