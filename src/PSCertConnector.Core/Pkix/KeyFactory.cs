using System;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace PSCertConnector.Core.Pkix
{
    internal static class KeyFactory
    {
        public static void ValidateKeyLength(KeyAlgorithm algorithm, int length)
        {
            bool ok = algorithm switch
            {
                KeyAlgorithm.Rsa => length is 2048 or 3072 or 4096,
                KeyAlgorithm.EcdsaP256 => length == 256,
                KeyAlgorithm.EcdsaP384 => length == 384,
                _ => false,
            };
            if (!ok)
                throw new PscException("InvalidKeyLength", FailureCategory.InvalidArgument,
                    algorithm == KeyAlgorithm.Rsa
                        ? $"KeyLength {length} is not supported for RSA; use 2048, 3072 or 4096."
                        : $"KeyLength {length} does not match {algorithm}; use {(algorithm == KeyAlgorithm.EcdsaP256 ? 256 : 384)}.");
        }

        /// <summary>
        /// Runs work without the crypto library's Miller-Rabin test of every RSA modulus it reads (about 13 ms each here),
        /// for keys whose quality protects nobody but their owner: our own kept keys, a CA's certificates trusted by chain
        /// or fingerprint, a SCEP requester's throwaway signing key. Even moduli and small factors are still refused;
        /// requests are still checked in full where a CA decides on them (<see cref="CsrParser"/>).
        /// </summary>
        internal static T WithoutModulusPrimalityTest<T>(Func<T> work) =>
            Org.BouncyCastle.Utilities.Properties.WithThreadProperty(Org.BouncyCastle.Utilities.Properties.RsaMaxMRTests, "0", work);

        /// <summary>True when <paramref name="certificate"/>'s signature verifies with <paramref name="issuer"/>'s key and names it as issuer.</summary>
        public static bool IsIssuedBy(byte[] certificate, byte[] issuer) => WithoutModulusPrimalityTest(() =>
        {
            try
            {
                var child = new Org.BouncyCastle.X509.X509Certificate(certificate);
                var parent = new Org.BouncyCastle.X509.X509Certificate(issuer);
                if (!child.IssuerDN.Equivalent(parent.SubjectDN)) return false;
                child.Verify(parent.GetPublicKey());
                return true;
            }
            catch (Exception ex) when (ex is Org.BouncyCastle.Security.GeneralSecurityException or ArgumentException or InvalidOperationException
                                       or InvalidCastException or System.IO.IOException or Org.BouncyCastle.Crypto.InvalidCipherTextException)
            {
                return false;
            }
        });

        public static string PublicKeyId(byte[] subjectPublicKeyInfo)
        {
            using var sha = SHA256.Create();
            return Hex.Encode(sha.ComputeHash(subjectPublicKeyInfo));
        }

        private static readonly DerObjectIdentifier EcPublicKey = X9ObjectIdentifiers.IdECPublicKey;

        /// <summary>
        /// Rejects EC keys whose curve is given by explicit parameters before anything computes with them:
        /// BouncyCastle 1.8.x can be made to spin on crafted explicit curves.
        /// </summary>
        public static void RejectExplicitCurve(SubjectPublicKeyInfo spki, string what)
        {
            if (spki.Algorithm.Algorithm.Equals(EcPublicKey) && !(spki.Algorithm.Parameters is DerObjectIdentifier))
                throw new PscException("ExplicitCurveRejected", FailureCategory.SecurityError,
                    $"The {what} uses an EC key with explicit curve parameters; only named curves (P-256, P-384) are accepted.");
        }

        public static (KeyAlgorithm Algorithm, int Size) Describe(SubjectPublicKeyInfo spki, string what)
        {
            RejectExplicitCurve(spki, what);
            return Describe(PublicKeyFactory.CreateKey(spki), what);
        }

        /// <summary>The algorithm and size of a key already read (reading an RSA key checks its modulus, which takes milliseconds).</summary>
        internal static (KeyAlgorithm Algorithm, int Size) Describe(Org.BouncyCastle.Crypto.AsymmetricKeyParameter key, string what)
        {
            switch (key)
            {
                case RsaKeyParameters rsa:
                    return (KeyAlgorithm.Rsa, rsa.Modulus.BitLength);
                case ECPublicKeyParameters ec:
                    int bits = ec.Parameters.Curve.FieldSize;
                    if (bits == 256) return (KeyAlgorithm.EcdsaP256, 256);
                    if (bits == 384) return (KeyAlgorithm.EcdsaP384, 384);
                    throw new PscException("UnsupportedKey", FailureCategory.InvalidData, $"The {what} uses a {bits}-bit EC curve; only P-256 and P-384 are supported.");
                default:
                    throw new PscException("UnsupportedKey", FailureCategory.InvalidData, $"The {what} uses a key type other than RSA or ECDSA.");
            }
        }
    }
}
