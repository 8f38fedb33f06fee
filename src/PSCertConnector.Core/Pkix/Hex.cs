using System;
using System.Text;
using System.Text.RegularExpressions;

namespace PSCertConnector.Core.Pkix
{
    public static class Hex
    {
        private const string Digits = "0123456789ABCDEF";

        public static string Encode(byte[] bytes) => Encode(new ReadOnlySpan<byte>(bytes));

        [ThreadStatic] private static char[]? _buffer;

        // One string and no per-byte formatting (the digits go through a per-thread buffer): imports encode four
        // hashes and a serial per certificate.
        public static string Encode(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length == 0) return "";
            var chars = _buffer;
            if (chars == null || chars.Length < bytes.Length * 2) _buffer = chars = new char[Math.Max(128, bytes.Length * 2)];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = Digits[bytes[i] >> 4];
                chars[2 * i + 1] = Digits[bytes[i] & 0xF];
            }
            return new string(chars, 0, bytes.Length * 2);
        }

        public static bool TryDecode(string text, out byte[] bytes)
        {
            bytes = Array.Empty<byte>();
            var clean = text.Replace(" ", "").Replace(":", "");
            if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) clean = clean.Substring(2);
            if (clean.Length % 2 != 0) return false;
            var result = new byte[clean.Length / 2];
            for (int i = 0; i < result.Length; i++)
            {
                if (!byte.TryParse(clean.Substring(i * 2, 2), System.Globalization.NumberStyles.HexNumber, null, out result[i]))
                    return false;
            }
            bytes = result;
            return true;
        }

        /// <summary>
        /// Serial numbers as AD CS and our inventory spell them: upper-case hex, no "0x", no separators,
        /// padded to an even length. Accepts what users paste from certutil or the MMC ("61 00 00 00 0a").
        /// </summary>
        public static string NormalizeSerial(string serial)
        {
            var clean = serial.Trim().Replace(" ", "").Replace(":", "").Replace("\u200e", "");
            if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) clean = clean.Substring(2);
            if (clean.Length == 0 || !Regex.IsMatch(clean, "^[0-9A-Fa-f]+$"))
                throw new PscException("InvalidSerialNumber", FailureCategory.InvalidArgument,
                    $"The serial number '{serial}' is not hexadecimal (expected e.g. '6100000012ab34cd').");
            if (clean.Length % 2 == 1) clean = "0" + clean;
            return clean.ToUpperInvariant();
        }

        /// <summary>Thumbprints: upper-case hex, no spaces (as Install-RaCertificate prints them).</summary>
        public static string NormalizeThumbprint(string thumbprint)
        {
            var clean = thumbprint.Replace(" ", "").Replace(":", "").Replace("\u200e", "").Trim();
            if (!Regex.IsMatch(clean, "^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$"))
                throw new PscException("InvalidThumbprint", FailureCategory.InvalidArgument,
                    $"The thumbprint '{thumbprint}' should be 40 (SHA-1) or 64 (SHA-256) hex digits.");
            return clean.ToUpperInvariant();
        }
    }
}
