using System.Collections.Generic;
using System.IO;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using X509CertificateEntry = Org.BouncyCastle.Pkcs.X509CertificateEntry;
using X509CertificateParser = Org.BouncyCastle.X509.X509CertificateParser;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>PKCS#12 (PFX) files with a password, readable by Windows, OpenSSL 3 and .NET.</summary>
    public static class Pkcs12Writer
    {
        /// <summary>The algorithms of a protection, in words for the export's report.</summary>
        public static string Describe(Pkcs12Protection protection) => protection == Pkcs12Protection.Legacy
            ? "3DES-CBC, SHA-1 key derivation, HMAC-SHA1 MAC (legacy)"
            : "AES-256-CBC, PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC";

        public static byte[] Write(byte[] certificateDer, IReadOnlyList<byte[]> chain, AsymmetricKey? key, string password, string? friendlyName,
            Pkcs12Protection protection = Pkcs12Protection.Modern)
        {
            if (string.IsNullOrEmpty(password))
                throw new PscException("PasswordRequired", FailureCategory.InvalidArgument, "A PFX export needs a non-empty password.");
            if (key != null && CertificateReader.Read(certificateDer).PublicKeyId != key.KeyId)
                throw new PscException("KeyMismatch", FailureCategory.InvalidData, "The private key does not belong to the certificate being exported.");
            return protection == Pkcs12Protection.Legacy
                ? WriteLegacy(certificateDer, chain, key, password, friendlyName)
                : WriteModern(certificateDer, chain, key, password, friendlyName);
        }

        /// <summary>
        /// A modern PFX with an empty password, only ever written inside a CMS envelope (<see cref="PfxEnvelope"/>): the
        /// envelope is its protection, and an empty password is what Windows and OpenSSL try when none is given.
        /// </summary>
        internal static byte[] WriteForEnvelope(byte[] certificateDer, IReadOnlyList<byte[]> chain, AsymmetricKey key, string? friendlyName)
        {
            if (CertificateReader.Read(certificateDer).PublicKeyId != key.KeyId)
                throw new PscException("KeyMismatch", FailureCategory.InvalidData, "The private key does not belong to the certificate being exported.");
            return WriteModern(certificateDer, chain, key, "", friendlyName);
        }

        /// <summary>
        /// PBKDF2 and MAC iterations of a modern PFX: 25 times the 2,000 Windows and 2,048 OpenSSL 3 use, while the file's
        /// three derivations together (150,000) stay well inside .NET's import limit of 300,000.
        /// </summary>
        public const int ModernIterations = 50_000;

        private const int SaltBytes = 16;

        /// <summary>PBES2 (AES-256-CBC, PBKDF2-HMAC-SHA256) for the key and the certificates, an HMAC-SHA256 MAC (RFC 7292, RFC 8018, RFC 9579).</summary>
        private static byte[] WriteModern(byte[] certificateDer, IReadOnlyList<byte[]> chain, AsymmetricKey? key, string password, string? friendlyName)
        {
            var random = new SecureRandom();
            var localKeyId = new DerOctetString(Org.BouncyCastle.Security.DigestUtilities.CalculateDigest("SHA-1", certificateDer));
            Asn1Encodable[] Attributes(bool withKeyId)
            {
                var list = new List<Asn1Encodable>();
                if (!string.IsNullOrEmpty(friendlyName))
                    list.Add(new AttributePkcs(PkcsObjectIdentifiers.Pkcs9AtFriendlyName, new DerSet(new DerBmpString(friendlyName))));
                if (withKeyId) list.Add(new AttributePkcs(PkcsObjectIdentifiers.Pkcs9AtLocalKeyID, new DerSet(localKeyId)));
                return list.ToArray();
            }

            var certificateBags = new List<Asn1Encodable>();
            foreach (var (der, index) in new[] { certificateDer }.Concat(chain).Select((d, i) => (d, i)))
            {
                var bag = new CertBag(PkcsObjectIdentifiers.X509Certificate, new DerOctetString(der));
                certificateBags.Add(new SafeBag(PkcsObjectIdentifiers.CertBag, bag.ToAsn1Object(),
                    index == 0 ? new DerSet(Attributes(key != null)) : null));
            }
            var certificatesPlain = new DerSequence(certificateBags.ToArray()).GetDerEncoded();
            var (certificatesAlgorithm, certificatesCipher) = Pbes2Encrypt(certificatesPlain, password, random);
            var contents = new List<Asn1Encodable>
            {
                new ContentInfo(PkcsObjectIdentifiers.EncryptedData,
                    new EncryptedData(PkcsObjectIdentifiers.Data, certificatesAlgorithm, new BerOctetString(certificatesCipher)).ToAsn1Object()),
            };
            if (key != null)
            {
                var (keyAlgorithm, keyCipher) = Pbes2Encrypt(key.ExportPkcs8(), password, random);
                var shrouded = new EncryptedPrivateKeyInfo(keyAlgorithm, keyCipher);
                var keyBag = new SafeBag(PkcsObjectIdentifiers.Pkcs8ShroudedKeyBag, shrouded.ToAsn1Object(), new DerSet(Attributes(true)));
                contents.Add(new ContentInfo(PkcsObjectIdentifiers.Data, new DerOctetString(new DerSequence(keyBag).GetDerEncoded())));
            }
            var authenticatedSafe = new AuthenticatedSafe(contents.Select(c => (ContentInfo)c).ToArray()).GetDerEncoded();

            var macSalt = new byte[SaltBytes];
            random.NextBytes(macSalt);
            var macGenerator = new Pkcs12ParametersGenerator(new Sha256Digest());
            macGenerator.Init(PbeParametersGenerator.Pkcs12PasswordToBytes(password.ToCharArray()), macSalt, ModernIterations);
            var hmac = new HMac(new Sha256Digest());
            hmac.Init(macGenerator.GenerateDerivedMacParameters(256));
            hmac.BlockUpdate(authenticatedSafe, 0, authenticatedSafe.Length);
            var mac = new byte[hmac.GetMacSize()];
            hmac.DoFinal(mac, 0);
            var macData = new MacData(new DigestInfo(new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance), mac), macSalt, ModernIterations);

            return new Pfx(new ContentInfo(PkcsObjectIdentifiers.Data, new DerOctetString(authenticatedSafe)), macData).GetDerEncoded();
        }

        /// <summary>PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC: the algorithm identifier and the ciphertext.</summary>
        private static (AlgorithmIdentifier Algorithm, byte[] Cipher) Pbes2Encrypt(byte[] plain, string password, SecureRandom random)
        {
            var salt = new byte[SaltBytes];
            var iv = new byte[16];
            random.NextBytes(salt);
            random.NextBytes(iv);
            var kdf = new Pkcs5S2ParametersGenerator(new Sha256Digest());
            kdf.Init(PbeParametersGenerator.Pkcs5PasswordToUtf8Bytes(password.ToCharArray()), salt, ModernIterations);
            var aesKey = (KeyParameter)kdf.GenerateDerivedMacParameters(256);
            var cipher = CipherUtilities.GetCipher("AES/CBC/PKCS7PADDING");
            cipher.Init(true, new ParametersWithIV(aesKey, iv));
            var encrypted = cipher.DoFinal(plain);
            var prf = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdHmacWithSha256, DerNull.Instance);
            var parameters = new PbeS2Parameters(
                new KeyDerivationFunc(PkcsObjectIdentifiers.IdPbkdf2, new Pbkdf2Params(salt, ModernIterations, prf)),
                new EncryptionScheme(NistObjectIdentifiers.IdAes256Cbc, new DerOctetString(iv)));
            return (new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPbeS2, parameters), encrypted);
        }

        /// <summary>3DES and SHA-1 for Windows before 10 1709 / Server 2019, which cannot read AES-protected PFX files.</summary>
        private static byte[] WriteLegacy(byte[] certificateDer, IReadOnlyList<byte[]> chain, AsymmetricKey? key, string password, string? friendlyName)
        {
            // Triple-DES for both bags: RC2-40, the library's default for certificates, is refused by OpenSSL 3 without its legacy provider.
            var store = new Pkcs12StoreBuilder()
                .SetKeyAlgorithm(PkcsObjectIdentifiers.PbeWithShaAnd3KeyTripleDesCbc)
                .SetCertAlgorithm(PkcsObjectIdentifiers.PbeWithShaAnd3KeyTripleDesCbc)
                .SetUseDerEncoding(true)
                .Build();
            var parser = new X509CertificateParser();
            var leaf = new X509CertificateEntry(parser.ReadCertificate(certificateDer));
            var alias = string.IsNullOrEmpty(friendlyName) ? CertificateReader.Read(certificateDer).ThumbprintSha1 : friendlyName!;
            var chainEntries = new List<X509CertificateEntry> { leaf };
            chainEntries.AddRange(chain.Select(c => new X509CertificateEntry(parser.ReadCertificate(c))));
            if (key != null)
            {
                store.SetKeyEntry(alias, new AsymmetricKeyEntry(key.PrivateParameter), chainEntries.ToArray());
            }
            else
            {
                store.SetCertificateEntry(alias, leaf);
                for (int i = 1; i < chainEntries.Count; i++)
                    store.SetCertificateEntry(alias + "-chain" + i, chainEntries[i]);
            }
            using var output = new MemoryStream();
            store.Save(output, password.ToCharArray(), new SecureRandom());
            return output.ToArray();
        }
    }
}
