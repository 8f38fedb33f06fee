
namespace PSCertConnector.Core.Store
{
    public enum CertificateSource { Enrolled, Imported }
}
