using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PSCertConnector.Fuzz
{
    /// <summary>
    /// A small havoc-style mutator over a corpus, deterministic for a seed: each mutant is a corpus entry with one
    /// to a few stacked edits (bit flips, interesting bytes, truncation, insertion, deletion, chunk repeats,
    /// splices with another entry, and tokens that parsers of these formats tend to trip on). No coverage
    /// feedback: it is the afl-free fallback, cheap enough to run for minutes per target in the default setup.
    /// </summary>
    public sealed class Mutator
    {
        private readonly Random _random;
        private readonly IReadOnlyList<byte[]> _corpus;
        private readonly byte[][] _tokens;
        private readonly int _maxLength;

        private static readonly byte[] InterestingBytes = { 0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x0A, 0x0C, 0x13, 0x17, 0x18, 0x1E, 0x30, 0x31,
            0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xA0, 0xA3, 0xFE, 0xFF, (byte)'<', (byte)'>', (byte)'"', (byte)'&', (byte)'=', (byte)'\n', (byte)'9' };

        // Text that makes number, date, entity and structure handling misbehave in XML, JSON, HTML and INF readers.
        private static readonly string[] TextTokens =
        {
            "99999999999999999999", "9223372036854775807", "-9223372036854775808", "4294967296", "2147483648", "-1", "0", "1e400", "1.5", "-0",
            "\u0661\u0662\u0663", "\uFF11\uFF12", "&#x0;", "&#xD;", "&amp;", "&lt;", "<!DOCTYPE x>", "<![CDATA[", "]]>", "<x>", "</x>", " xsi:nil=\"true\"",
            "\"", "\"\"", "=", "[", "]", "{", "}", ":", ",", "null", "true", "[[[[[[[[", "{\"a\":", "\\u0000", "\\ud800",
            "{text}", "{hex}", "_continue_ = ", "\r\n", "0x", "0xFFFFFFFF", "0x80094800", "ReqID=", "Request Id is ", "<script>", "nRenewals=",
            "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "-----BEGIN ", "-----", "MII", "====",
            "dns=", "ipaddress=", "upn=", "url=", "email=", "2.5.29.17", "1.2.840.113549.1.7.2", "9999-12-31T23:59:59Z",
        };

        // DER fragments: indefinite and huge lengths, empty and odd universal types, long-form tags.
        private static readonly byte[][] DerTokens =
        {
            new byte[] { 0x30, 0x80 }, new byte[] { 0x30, 0x00 }, new byte[] { 0x02, 0x00 }, new byte[] { 0x06, 0x00 }, new byte[] { 0x05, 0x00 },
            new byte[] { 0x84, 0xFF, 0xFF, 0xFF, 0xFF }, new byte[] { 0x88, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, new byte[] { 0x1F, 0xFF, 0xFF, 0x7F },
            new byte[] { 0x17, 0x0D }, new byte[] { 0x18, 0x0F }, new byte[] { 0x0A, 0x01, 0xFF }, new byte[] { 0x03, 0x01, 0x08 }, new byte[] { 0x01, 0x01, 0xFF },
            new byte[] { 0x06, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, new byte[] { 0xA0, 0x80, 0x00, 0x00 }, new byte[] { 0x1E, 0x01, 0x41 },
        };

        public Mutator(IReadOnlyList<byte[]> corpus, int seed, int maxLength)
        {
            if (corpus.Count == 0) throw new ArgumentException("The corpus is empty: give at least one seed file.");
            _corpus = corpus;
            _random = new Random(seed);
            _maxLength = maxLength;
            _tokens = TextTokens.Select(t => Encoding.UTF8.GetBytes(t)).Concat(DerTokens).ToArray();
        }

        public byte[] Next()
        {
            var data = new List<byte>(_corpus[_random.Next(_corpus.Count)]);
            int edits = 1 + (_random.Next(4) == 0 ? _random.Next(8) : _random.Next(2));
            for (int i = 0; i < edits; i++) Apply(data);
            if (data.Count > _maxLength) data.RemoveRange(_maxLength, data.Count - _maxLength);
            return data.ToArray();
        }

        private void Apply(List<byte> data)
        {
            int position = data.Count == 0 ? 0 : _random.Next(data.Count);
            switch (_random.Next(11))
            {
                case 0 when data.Count > 0: // one bit
                    data[position] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[position] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                    break;
                case 2 when data.Count > 0: // random byte
                    data[position] = (byte)_random.Next(256);
                    break;
                case 3: // truncate
                    if (data.Count > 0) data.RemoveRange(position, data.Count - position);
                    break;
                case 4 when data.Count > 0: // delete a chunk
                    data.RemoveRange(position, Math.Min(data.Count - position, 1 + _random.Next(32)));
                    break;
                case 5: // insert random bytes
                    data.InsertRange(position, Enumerable.Range(0, 1 + _random.Next(16)).Select(_ => (byte)_random.Next(256)));
                    break;
                case 6 when data.Count > 0: // repeat a chunk: deep nesting, long lists, huge repeated fields
                {
                    int length = Math.Min(data.Count - position, 1 + _random.Next(64));
                    var chunk = data.GetRange(position, length);
                    int times = 1 + _random.Next(_random.Next(4) == 0 ? 2000 : 16);
                    var repeated = new List<byte>(length * times);
                    for (int i = 0; i < times && repeated.Count < _maxLength; i++) repeated.AddRange(chunk);
                    data.InsertRange(position, repeated);
                    break;
                }
                case 7: // splice: this entry's head, another's tail
                {
                    var other = _corpus[_random.Next(_corpus.Count)];
                    int from = other.Length == 0 ? 0 : _random.Next(other.Length);
                    data.RemoveRange(position, data.Count - position);
                    data.AddRange(other.Skip(from));
                    break;
                }
                case 8: // insert a token
                    data.InsertRange(position, _tokens[_random.Next(_tokens.Length)]);
                    break;
                case 9 when data.Count > 0: // overwrite with a token
                {
                    var token = _tokens[_random.Next(_tokens.Length)];
                    for (int i = 0; i < token.Length && position + i < data.Count; i++) data[position + i] = token[i];
                    break;
                }
                default: // copy a chunk over another place in the same input
                    if (data.Count > 1)
                    {
                        int length = Math.Min(data.Count - position, 1 + _random.Next(32));
                        var chunk = data.GetRange(position, length);
                        int to = _random.Next(data.Count);
                        for (int i = 0; i < chunk.Count && to + i < data.Count; i++) data[to + i] = chunk[i];
                    }
                    break;
            }
        }
    }
}
