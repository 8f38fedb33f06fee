using System;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// A private key with its public half. Only BCL types cross its public surface; the crypto library's
    /// key objects stay inside. RSA signing goes through the platform (CNG on Windows, OpenSSL elsewhere)
    /// because it is several times faster than the managed implementation.
    /// </summary>
    public sealed class AsymmetricKey : IDisposable
    {
        private readonly AsymmetricKeyParameter _private;
        private readonly AsymmetricKeyParameter _public;
        private readonly RSA? _platformRsa;

        private AsymmetricKey(KeyAlgorithm algorithm, int keySize, AsymmetricKeyParameter priv, AsymmetricKeyParameter pub, RSA? platformRsa)
        {
            Algorithm = algorithm;
            KeySize = keySize;
            _private = priv;
            _public = pub;
            _platformRsa = platformRsa;
            PublicKeyInfo = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pub).GetDerEncoded();
            KeyId = KeyFactory.PublicKeyId(PublicKeyInfo);
        }

        public KeyAlgorithm Algorithm { get; }
        public int KeySize { get; }
        /// <summary>DER SubjectPublicKeyInfo.</summary>
        public byte[] PublicKeyInfo { get; }
        /// <summary>Hex SHA-256 of the SubjectPublicKeyInfo.</summary>
        public string KeyId { get; }

        public byte[] ExportPkcs8() => PrivateKeyInfoFactory.CreatePrivateKeyInfo(_private).GetDerEncoded();

        internal AsymmetricKeyParameter PublicParameter => _public;
        internal AsymmetricKeyParameter PrivateParameter => _private;

        public static AsymmetricKey Generate(KeyAlgorithm algorithm, int keyLength)
        {
            KeyFactory.ValidateKeyLength(algorithm, keyLength);
            if (algorithm == KeyAlgorithm.Rsa)
            {
                var rsa = RSA.Create();
                rsa.KeySize = keyLength;
                return FromRsaParameters(rsa.ExportParameters(true), rsa);
            }
            var oid = algorithm == KeyAlgorithm.EcdsaP256 ? SecObjectIdentifiersP256 : NistNamedCurves.GetOid("P-384");
            var generator = new ECKeyPairGenerator("EC");
            generator.Init(new ECKeyGenerationParameters(oid, new SecureRandom()));
            var pair = generator.GenerateKeyPair();
            return new AsymmetricKey(algorithm, keyLength, pair.Private, pair.Public, null);
        }

        private static DerObjectIdentifier SecObjectIdentifiersP256 => NistNamedCurves.GetOid("P-256");

        /// <summary>A private key from PKCS#8: a kept key, the CA's, or one from a PFX (its modulus is its owner's concern, <see cref="KeyFactory.WithoutModulusPrimalityTest"/>).</summary>
        public static AsymmetricKey ImportPkcs8(byte[] pkcs8) => KeyFactory.WithoutModulusPrimalityTest(() => ReadPkcs8(pkcs8));

        private static AsymmetricKey ReadPkcs8(byte[] pkcs8)
        {
            AsymmetricKeyParameter priv;
            try { priv = PrivateKeyFactory.CreateKey(pkcs8); }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or System.IO.IOException or InvalidOperationException)
            {
                throw new PscException("MalformedPrivateKey", FailureCategory.InvalidData, "The private key is not a valid PKCS#8 key.", ex);
            }
            switch (priv)
            {
                case RsaPrivateCrtKeyParameters rsaKey:
                    var parameters = ToRsaParameters(rsaKey);
                    var rsa = RSA.Create();
                    rsa.ImportParameters(parameters);
                    return FromRsaParameters(parameters, rsa);
                case ECPrivateKeyParameters ecKey:
                    if (ecKey.PublicKeyParamSet == null)
                        throw new PscException("UnsupportedKey", FailureCategory.InvalidData, "EC keys with explicit curve parameters are not accepted; use a named curve (P-256 or P-384).");
                    var q = ecKey.Parameters.G.Multiply(ecKey.D).Normalize();
                    var pub = new ECPublicKeyParameters("EC", q, ecKey.PublicKeyParamSet);
                    var name = ecKey.PublicKeyParamSet.Equals(NistNamedCurves.GetOid("P-256")) ? KeyAlgorithm.EcdsaP256
                        : ecKey.PublicKeyParamSet.Equals(NistNamedCurves.GetOid("P-384")) ? KeyAlgorithm.EcdsaP384
                        : throw new PscException("UnsupportedKey", FailureCategory.InvalidData, "Only P-256 and P-384 EC keys are supported.");
                    return new AsymmetricKey(name, name == KeyAlgorithm.EcdsaP256 ? 256 : 384, ecKey, pub, null);
                default:
                    throw new PscException("UnsupportedKey", FailureCategory.InvalidData, "Only RSA and ECDSA (P-256, P-384) keys are supported.");
            }
        }

        private static AsymmetricKey FromRsaParameters(RSAParameters p, RSA rsa)
        {
            var priv = new RsaPrivateCrtKeyParameters(Big(p.Modulus), Big(p.Exponent), Big(p.D), Big(p.P), Big(p.Q), Big(p.DP), Big(p.DQ), Big(p.InverseQ));
            var pub = new RsaKeyParameters(false, Big(p.Modulus), Big(p.Exponent));
            return new AsymmetricKey(KeyAlgorithm.Rsa, p.Modulus!.Length * 8, priv, pub, rsa);
        }

        private static BcBigInteger Big(byte[]? bytes) => new BcBigInteger(1, bytes ?? throw new ArgumentException("RSA parameter missing"));

        private static RSAParameters ToRsaParameters(RsaPrivateCrtKeyParameters k)
        {
            int size = k.Modulus.ToByteArrayUnsigned().Length;
            int half = (size + 1) / 2;
            return new RSAParameters
            {
                Modulus = Pad(k.Modulus, size),
                Exponent = k.PublicExponent.ToByteArrayUnsigned(),
                D = Pad(k.Exponent, size),
                P = Pad(k.P, half),
                Q = Pad(k.Q, half),
                DP = Pad(k.DP, half),
                DQ = Pad(k.DQ, half),
                InverseQ = Pad(k.QInv, half),
            };
        }

        private static byte[] Pad(BcBigInteger value, int length)
        {
            var raw = value.ToByteArrayUnsigned();
            if (raw.Length >= length) return raw;
            var padded = new byte[length];
            Buffer.BlockCopy(raw, 0, padded, length - raw.Length, raw.Length);
            return padded;
        }

        /// <summary>A signer for certificates, CRLs and requests made with this key.</summary>
        internal ISignatureFactory SignatureFactory(SignatureHash hash)
        {
            if (Algorithm == KeyAlgorithm.Rsa && _platformRsa != null)
            {
                var (oid, name) = hash switch
                {
                    SignatureHash.Sha384 => (PkcsObjectIdentifiers.Sha384WithRsaEncryption, HashAlgorithmName.SHA384),
                    SignatureHash.Sha512 => (PkcsObjectIdentifiers.Sha512WithRsaEncryption, HashAlgorithmName.SHA512),
                    SignatureHash.Sha1 => (PkcsObjectIdentifiers.Sha1WithRsaEncryption, HashAlgorithmName.SHA1),
                    _ => (PkcsObjectIdentifiers.Sha256WithRsaEncryption, HashAlgorithmName.SHA256),
                };
                var rsa = _platformRsa;
                return new PlatformSignatureFactory(new AlgorithmIdentifier(oid, DerNull.Instance),
                    data => rsa.SignData(data, name, RSASignaturePadding.Pkcs1));
            }
            var algorithmName = (hash switch
            {
                SignatureHash.Sha384 => "SHA384",
                SignatureHash.Sha512 => "SHA512",
                SignatureHash.Sha1 => "SHA1",
                _ => "SHA256",
            }) + (Algorithm == KeyAlgorithm.Rsa ? "WITHRSA" : "WITHECDSA");
            return new Asn1SignatureFactory(algorithmName, _private, new SecureRandom());
        }

        public void Dispose() => _platformRsa?.Dispose();

        private sealed class PlatformSignatureFactory : ISignatureFactory
        {
            private readonly AlgorithmIdentifier _algorithm;
            private readonly Func<byte[], byte[]> _sign;

            public PlatformSignatureFactory(AlgorithmIdentifier algorithm, Func<byte[], byte[]> sign)
            {
                _algorithm = algorithm;
                _sign = sign;
            }

            public object AlgorithmDetails => _algorithm;
            public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(_sign);

            private sealed class Calculator : IStreamCalculator<IBlockResult>
            {
                private readonly System.IO.MemoryStream _buffer = new System.IO.MemoryStream();
                private readonly Func<byte[], byte[]> _sign;
                public Calculator(Func<byte[], byte[]> sign) => _sign = sign;
                public System.IO.Stream Stream => _buffer;
                // BouncyCastle's own result type: its IBlockResult grows members on newer frameworks (Span overloads), which a
                // netstandard2.0 implementation of ours could not provide.
                public IBlockResult GetResult() => new SimpleBlockResult(_sign(_buffer.ToArray()));
            }
        }
    }
}
