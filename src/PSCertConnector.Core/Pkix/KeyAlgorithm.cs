
namespace PSCertConnector.Core.Pkix
{
    public enum KeyAlgorithm { Rsa, EcdsaP256, EcdsaP384 }
}
