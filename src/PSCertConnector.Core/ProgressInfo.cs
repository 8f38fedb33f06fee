
namespace PSCertConnector.Core
{
    public sealed record ProgressInfo(int ActivityId, string Activity, string Status, int PercentComplete, bool Completed = false);
}
