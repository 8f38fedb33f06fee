using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>What a SCEP server says it can do (GetCACaps, RFC 8894 §3.5.2): one keyword per line, case-insensitive.</summary>
    public sealed class ScepCapabilities
    {
        private readonly HashSet<string> _words;

        public ScepCapabilities(IEnumerable<string> words) => _words = new HashSet<string>(words, StringComparer.OrdinalIgnoreCase);

        public static ScepCapabilities Parse(string text) =>
            new ScepCapabilities(text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).Where(l => l.Length > 0 && l.Length < 64));

        public IReadOnlyCollection<string> Words => _words;
        public bool Has(string word) => _words.Contains(word);
        /// <summary>SCEPStandard implies AES, POSTPKIOperation and SHA-256 (RFC 8894 §3.5.2).</summary>
        public bool Standard => Has("SCEPStandard");
        public bool Post => Standard || Has("POSTPKIOperation");

        /// <summary>AES-128 and SHA-256 where offered, else 3DES and SHA-1 as the RFC says a client must then use.</summary>
        public ScepAlgorithms Algorithms => new ScepAlgorithms(
            Standard || Has("AES") ? ScepAlgorithms.Aes128Cbc : ScepAlgorithms.DesEde3Cbc,
            Standard || Has("SHA-256") ? SignatureHash.Sha256 : Has("SHA-512") ? SignatureHash.Sha512 : SignatureHash.Sha1);

        public override string ToString() => _words.Count == 0 ? "none" : string.Join(", ", _words.OrderBy(w => w, StringComparer.OrdinalIgnoreCase));
    }
}
