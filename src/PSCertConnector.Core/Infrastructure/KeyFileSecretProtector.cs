using System;
using System.IO;
using System.Security.Cryptography;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// AES-256-CBC with HMAC-SHA256 over IV and ciphertext (encrypt-then-MAC), keyed from a 64-byte file
    /// created with mode 0600. AES-GCM is not in netstandard2.0, hence the composition.
    /// </summary>
    internal sealed class KeyFileSecretProtector : ISecretProtector
    {
        private const byte FormatVersion = 1;
        public const int KeyLength = 64;
        private readonly string _keyPath;
        private readonly bool _createIfMissing;
        private byte[]? _key;

        /// <param name="createIfMissing">
        /// True for a home's own key. A shared store's key is made once by the administrator and copied to each host: a
        /// missing one is an error, since a new key would protect secrets no other host can read.
        /// </param>
        public KeyFileSecretProtector(string keyPath, bool createIfMissing = true)
        {
            _keyPath = keyPath;
            _createIfMissing = createIfMissing;
        }

        public string KeyPath => _keyPath;

        /// <summary>Names the key without revealing it (a truncated HMAC of a fixed label), so hosts can tell whether they share it.</summary>
        public string KeyId
        {
            get
            {
                using var hmac = new HMACSHA256(LoadOrCreateKey());
                var mac = hmac.ComputeHash(System.Text.Encoding.ASCII.GetBytes("PSCertConnector key id"));
                return BitConverter.ToString(mac, 0, 8).Replace("-", "").ToLowerInvariant();
            }
        }

        /// <summary>Writes a new random key to a file that must not exist yet, readable only by its owner.</summary>
        public static void CreateKeyFile(string path)
        {
            if (File.Exists(path))
                throw new PscException("FileExists", FailureCategory.ResourceExists, $"The key file '{path}' exists; a new key never replaces one secrets may be protected with.") { Target = path };
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(folder))
                throw new PscException("FolderNotFound", FailureCategory.ObjectNotFound, $"The folder '{folder}' does not exist. Create it first, or check the path.") { Target = path };
            WriteNewKey(path);
        }

        public byte[] Protect(byte[] plain)
        {
            var key = LoadOrCreateKey();
            using var aes = Aes.Create();
            aes.Key = Slice(key, 0, 32);
            aes.GenerateIV();
            byte[] cipher;
            using (var enc = aes.CreateEncryptor())
                cipher = enc.TransformFinalBlock(plain, 0, plain.Length);
            var output = new byte[1 + 16 + cipher.Length + 32];
            output[0] = FormatVersion;
            Buffer.BlockCopy(aes.IV, 0, output, 1, 16);
            Buffer.BlockCopy(cipher, 0, output, 17, cipher.Length);
            using var hmac = new HMACSHA256(Slice(key, 32, 32));
            var tag = hmac.ComputeHash(output, 0, 17 + cipher.Length);
            Buffer.BlockCopy(tag, 0, output, 17 + cipher.Length, 32);
            return output;
        }

        public byte[] Unprotect(byte[] data)
        {
            if (data.Length < 1 + 16 + 16 + 32 || data[0] != FormatVersion)
                throw Unreadable("its format is not recognised");
            var key = LoadOrCreateKey();
            int cipherLength = data.Length - 17 - 32;
            using (var hmac = new HMACSHA256(Slice(key, 32, 32)))
            {
                var expected = hmac.ComputeHash(data, 0, 17 + cipherLength);
                if (!FixedTimeEquals(expected, Slice(data, 17 + cipherLength, 32)))
                    throw Unreadable($"it was not protected with the key in '{_keyPath}', or it was altered");
            }
            using var aes = Aes.Create();
            aes.Key = Slice(key, 0, 32);
            aes.IV = Slice(data, 1, 16);
            using var dec = aes.CreateDecryptor();
            return dec.TransformFinalBlock(data, 17, cipherLength);
        }

        private PscException Unreadable(string why) =>
            new PscException("SecretUnreadable", FailureCategory.SecurityError, $"A protected secret could not be decrypted: {why}.");

        private byte[] LoadOrCreateKey()
        {
            if (_key != null) return _key;
            if (File.Exists(_keyPath))
            {
                var existing = File.ReadAllBytes(_keyPath);
                if (existing.Length != KeyLength)
                    throw new PscException("SecretKeyCorrupt", FailureCategory.InvalidData,
                        $"The secret key file '{_keyPath}' should hold 64 bytes but holds {existing.Length}. Restore it from backup; secrets protected with it cannot be read otherwise.");
                return _key = existing;
            }
            if (!_createIfMissing)
                throw new PscException("SecretKeyMissing", FailureCategory.ObjectNotFound,
                    $"The shared key file '{_keyPath}' does not exist. Copy it from the host where it was made ({UserText.Command("store new-key", "New-CaStoreKey")} makes one), or point {StoreKeyVariable} at it.") { Target = _keyPath };
            OwnerOnly.CreateFolder(Path.GetDirectoryName(_keyPath)!);
            // Read back what is on disk: when another process created the key first, theirs is the one, never our own copy.
            WriteNewKey(_keyPath);
            return LoadOrCreateKey();
        }

        /// <summary>The environment variable naming a shared store's key file (kept here so the error can name it).</summary>
        internal const string StoreKeyVariable = "PSCERTCONNECTOR_STORE_KEY_FILE";

        /// <returns>False when another process created the file first.</returns>
        private static bool WriteNewKey(string path)
        {
            var key = new byte[KeyLength];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(key);
            // Create empty, restrict to the owner, then write: the key is never readable by others, even briefly.
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            using (File.Create(temp)) { }
            OwnerOnly.RestrictFile(temp);
            File.WriteAllBytes(temp, key);
            Array.Clear(key, 0, key.Length);
            try { File.Move(temp, path); }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp);
                return false;
            }
            return true;
        }

        private static byte[] Slice(byte[] source, int offset, int count)
        {
            var result = new byte[count];
            Buffer.BlockCopy(source, offset, result, 0, count);
            return result;
        }

        private static bool FixedTimeEquals(byte[] a, byte[] b)
        {
            if (a.Length != b.Length) return false;
            int diff = 0;
            for (int i = 0; i < a.Length; i++) diff |= a[i] ^ b[i];
            return diff == 0;
        }
    }
}
