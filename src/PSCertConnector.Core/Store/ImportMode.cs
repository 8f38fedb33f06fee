
namespace PSCertConnector.Core.Store
{
    public enum ImportMode { Incremental, Full }
}
