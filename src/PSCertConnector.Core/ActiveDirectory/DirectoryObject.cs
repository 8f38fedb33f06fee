using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace PSCertConnector.Core.ActiveDirectory
{
    /// <summary>One directory object as LDAP returned it: its DN and raw attribute values (names case-insensitive).</summary>
    public sealed class DirectoryObject
    {
        private readonly Dictionary<string, IReadOnlyList<byte[]>> _attributes;

        public DirectoryObject(string distinguishedName, IEnumerable<KeyValuePair<string, IReadOnlyList<byte[]>>> attributes)
        {
            DistinguishedName = distinguishedName;
            _attributes = new Dictionary<string, IReadOnlyList<byte[]>>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in attributes) _attributes[pair.Key] = pair.Value;
        }

        public string DistinguishedName { get; }

        public IReadOnlyList<byte[]> Values(string name) => _attributes.TryGetValue(name, out var values) ? values : Array.Empty<byte[]>();
        public byte[]? Binary(string name) => Values(name).FirstOrDefault();
        public IEnumerable<string> Texts(string name) => Values(name).Select(v => Encoding.UTF8.GetString(v));
        public string? Text(string name) => Texts(name).FirstOrDefault(t => t.Length > 0);

        /// <summary>An INTEGER attribute (AD sends them as decimal text; flag words may be negative).</summary>
        public int? Int(string name) =>
            Text(name) is { } text && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            && value >= int.MinValue && value <= uint.MaxValue ? unchecked((int)value) : (int?)null;

        /// <summary>The object's own name: the value of its first RDN (CN=Web Server,... → "Web Server").</summary>
        public string Name => Text("cn") ?? Pkix.DistinguishedNames.CommonNameOf(DistinguishedName) ?? DistinguishedName;
    }
}
