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
        private readonly string _keyPath;
        private byte[]? _key;

        public KeyFileSecretProtector(string keyPath) => _keyPath = keyPath;

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
                if (existing.Length != 64)
                    throw new PscException("SecretKeyCorrupt", FailureCategory.InvalidData,
                        $"The secret key file '{_keyPath}' should hold 64 bytes but holds {existing.Length}. Restore it from backup; secrets protected with it cannot be read otherwise.");
                return _key = existing;
            }
            OwnerOnly.CreateFolder(Path.GetDirectoryName(_keyPath)!);
            var key = new byte[64];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(key);
            // Create empty, restrict to the owner, then write: the key is never readable by others, even briefly.
            var temp = _keyPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
            using (File.Create(temp)) { }
            OwnerOnly.RestrictFile(temp);
            File.WriteAllBytes(temp, key);
            try { File.Move(temp, _keyPath); }
            catch (IOException) when (File.Exists(_keyPath))
            {
                // Another process created the key first: use the one on disk, never our own copy.
                File.Delete(temp);
                _key = null;
                return LoadOrCreateKey();
            }
            return _key = key;
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
