using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

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
                if (CertificateReader.Read(certificateDer).PublicKeyId != key.KeyId)
                    throw new PscException("KeyMismatch", FailureCategory.InvalidData, "The private key does not belong to the certificate being exported.");
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
