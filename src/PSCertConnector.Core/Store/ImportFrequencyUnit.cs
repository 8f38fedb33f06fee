
namespace PSCertConnector.Core.Store
{
    public enum ImportFrequencyUnit { Minutes, Hours, Weeks }
}
