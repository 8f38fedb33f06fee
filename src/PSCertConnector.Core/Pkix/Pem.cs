using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>PEM armour (RFC 7468): encode DER, and find DER blocks in text.</summary>
    public static class Pem
    {
        public static string Encode(string label, byte[] der)
        {
            var b64 = Convert.ToBase64String(der);
            var sb = new StringBuilder();
            sb.Append("-----BEGIN ").Append(label).Append("-----\n");
            for (int i = 0; i < b64.Length; i += 64)
                sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
            sb.Append("-----END ").Append(label).Append("-----\n");
            return sb.ToString();
        }

        /// <summary>All PEM blocks in the text, in order, as (label, DER).</summary>
        public static IReadOnlyList<(string Label, byte[] Der)> DecodeAll(string text, string what)
        {
            var result = new List<(string, byte[])>();
            int pos = 0;
            while (true)
            {
                int begin = text.IndexOf("-----BEGIN ", pos, StringComparison.Ordinal);
                if (begin < 0) break;
                int labelEnd = text.IndexOf("-----", begin + 11, StringComparison.Ordinal);
                if (labelEnd < 0) throw Malformed(what, "a BEGIN line is not closed with '-----'");
                var label = text.Substring(begin + 11, labelEnd - begin - 11);
                var endMarker = "-----END " + label + "-----";
                // The END line starts after the BEGIN line's closing dashes: "-----BEGIN -----END -----" has no body, not a negative one.
                int end = text.IndexOf(endMarker, labelEnd + 5, StringComparison.Ordinal);
                if (end < 0) throw Malformed(what, $"'-----BEGIN {label}-----' has no matching END line");
                var body = new string(text.Substring(labelEnd + 5, end - labelEnd - 5).Where(c => !char.IsWhiteSpace(c)).ToArray());
                try { result.Add((label, Convert.FromBase64String(body))); }
                catch (FormatException) { throw Malformed(what, $"the '{label}' block is not valid base64"); }
                pos = end + endMarker.Length;
            }
            return result;
        }

        /// <summary>The DER of every CERTIFICATE block in the text, in order (other blocks are ignored).</summary>
        public static IReadOnlyList<byte[]> Certificates(string text, string what) =>
            DecodeAll(text, what).Where(b => b.Label == "CERTIFICATE").Select(b => b.Der).ToList();

        /// <summary>Reads PEM (any of the labels) or raw DER, whichever the bytes are.</summary>
        public static byte[] ReadPemOrDer(byte[] input, string what, params string[] labels)
        {
            if (input.Length == 0) throw Malformed(what, "it is empty");
            if (input[0] == 0x30) return input; // DER SEQUENCE
            var text = Encoding.UTF8.GetString(input);
            var blocks = DecodeAll(text, what);
            foreach (var block in blocks)
                if (labels.Contains(block.Label)) return block.Der;
            if (blocks.Count > 0)
                throw Malformed(what, $"expected a PEM block labelled {string.Join(" or ", labels.Select(l => "'" + l + "'"))} but found '{blocks[0].Label}'");
            // certreq and some portals hand out bare base64 without armour.
            var bare = new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
            try
            {
                var der = Convert.FromBase64String(bare);
                if (der.Length > 0 && der[0] == 0x30) return der;
            }
            catch (FormatException) { }
            throw Malformed(what, "it is neither DER nor PEM");
        }

        /// <summary>
        /// Like <see cref="ReadPemOrDer"/>, for inputs that must hold exactly one object (a request file): a second PEM
        /// block, or bytes after the DER, is an error rather than silently ignored.
        /// </summary>
        public static byte[] ReadSinglePemOrDer(byte[] input, string what, params string[] labels)
        {
            var der = ReadPemOrDer(input, what, labels);
            if (ReferenceEquals(der, input))
            {
                int consumed;
                try
                {
                    if (!System.Formats.Asn1.AsnDecoder.TryReadEncodedValue(input, System.Formats.Asn1.AsnEncodingRules.BER, out _, out _, out _, out consumed))
                        throw Malformed(what, "its DER encoding is cut short");
                }
                catch (System.Formats.Asn1.AsnContentException ex)
                {
                    // An indefinite length whose end-of-contents is missing throws rather than returning false.
                    throw Malformed(what, "its DER encoding is not valid (" + ex.Message.TrimEnd('.') + ")");
                }
                if (consumed != input.Length)
                    throw Malformed(what, $"{input.Length - consumed} bytes follow the first one; give one per file");
                return der;
            }
            int count = DecodeAll(Encoding.UTF8.GetString(input), what).Count(b => labels.Contains(b.Label));
            if (count > 1) throw Malformed(what, $"the file holds {count} of them; give one per file");
            return der;
        }

        private static PscException Malformed(string what, string why) =>
            new PscException("MalformedInput", FailureCategory.InvalidData, $"The {what} could not be read: {why}.");
    }
}
