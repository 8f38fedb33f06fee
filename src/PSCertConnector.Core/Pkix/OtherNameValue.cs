
namespace PSCertConnector.Core.Pkix
{
    internal static class OtherNameValue
    {
        public static bool IsValid(string value)
        {
            var parts = value.Split(new[] { ';' }, 2);
            return parts.Length == 2 && Oids.IsValid(parts[0]) && Hex.TryDecode(parts[1], out var der) && der.Length > 0;
        }
    }
}
