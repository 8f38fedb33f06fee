
namespace PSCertConnector.Core.Pkix
{
    /// <summary>A subject alternative name. OtherName values are "oid;hex-of-DER-value".</summary>
    public sealed record SubjectAlternativeName(SanType Type, string Value)
    {
        public override string ToString() => $"{TypeText(Type)}={Value}";

        public static string TypeText(SanType type) => type switch
        {
            SanType.Dns => "dns",
            SanType.IpAddress => "ipaddress",
            SanType.Email => "email",
            SanType.Upn => "upn",
            SanType.Uri => "url",
            SanType.OtherName => "othername",
            _ => type.ToString().ToLowerInvariant(),
        };

        /// <summary>Parses certreq's "dns=www.contoso.com" (also "ip=", "uri=", "rfc822=").</summary>
        public static SubjectAlternativeName Parse(string text)
        {
            int eq = text.IndexOf('=');
            if (eq <= 0 || eq == text.Length - 1)
                throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The subject alternative name '{text}' should look like 'dns=www.contoso.com' (types: dns, ipaddress, email, upn, url, othername).");
            var kind = text.Substring(0, eq).Trim().ToLowerInvariant();
            var value = text.Substring(eq + 1).Trim();
            SanType type = kind switch
            {
                "dns" => SanType.Dns,
                "ip" or "ipaddress" => SanType.IpAddress,
                "email" or "rfc822" or "rfc822name" => SanType.Email,
                "upn" => SanType.Upn,
                "url" or "uri" => SanType.Uri,
                "othername" => SanType.OtherName,
                _ => throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The subject alternative name type '{kind}' is not known; use dns, ipaddress, email, upn, url or othername."),
            };
            if (type == SanType.IpAddress && !System.Net.IPAddress.TryParse(value, out _))
                throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The IP address '{value}' in a subject alternative name is not a valid IPv4 or IPv6 address.");
            if (type == SanType.OtherName && !OtherNameValue.IsValid(value))
                throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The other name '{value}' should be '<oid>;<hex of the DER value>', e.g. '1.3.6.1.4.1.311.25.1;0410...'.");
            return new SubjectAlternativeName(type, value);
        }
    }
}
