
namespace PSCertConnector.Core.Pkix
{
    public enum SignatureHash { Sha256, Sha384, Sha512, Sha1 }
}
