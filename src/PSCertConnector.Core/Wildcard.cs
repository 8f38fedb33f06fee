using System.Text.RegularExpressions;

namespace PSCertConnector.Core
{
    /// <summary>PowerShell-style wildcards (* and ?), matched whole and ignoring case, as every name filter takes them.</summary>
    public static class Wildcard
    {
        public static bool Has(string pattern) => pattern.IndexOfAny(new[] { '*', '?' }) >= 0;

        public static Regex ToRegex(string pattern) =>
            new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.IgnoreCase);
    }
}
