
namespace PSCertConnector.Core.Store
{
    /// <summary>Interrupted: the process running the import was killed (never stored, only reported when the row says Running).</summary>
    public enum ImportRunStatus { Running, Succeeded, Failed, Cancelled, Interrupted }
}
