
namespace PSCertConnector.Core.Pkix
{
    public static class KeyAlgorithms
    {
        /// <summary>The key length certreq uses when none is given: 2048 for RSA, the curve's size for ECDSA.</summary>
        public static int DefaultLength(KeyAlgorithm algorithm) => algorithm switch
        {
            KeyAlgorithm.EcdsaP256 => 256,
            KeyAlgorithm.EcdsaP384 => 384,
            _ => 2048,
        };

        /// <summary>The key lengths an algorithm takes: RSA's sizes, or the one size of the curve.</summary>
        public static int[] ValidLengths(KeyAlgorithm algorithm) => algorithm switch
        {
            KeyAlgorithm.EcdsaP256 => new[] { 256 },
            KeyAlgorithm.EcdsaP384 => new[] { 384 },
            _ => new[] { 2048, 3072, 4096 },
        };
    }
}
