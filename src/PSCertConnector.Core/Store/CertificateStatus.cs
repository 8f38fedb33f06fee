
namespace PSCertConnector.Core.Store
{
    public enum CertificateStatus { Valid, Expired, Revoked }
}
