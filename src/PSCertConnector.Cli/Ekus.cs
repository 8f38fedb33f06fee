using System.Collections.Generic;

namespace PSCertConnector.Cli
{
    internal static class Ekus
    {
        private static readonly Dictionary<string, string> Names = new()
        {
            ["1.3.6.1.5.5.7.3.1"] = "serverAuth",
            ["1.3.6.1.5.5.7.3.2"] = "clientAuth",
            ["1.3.6.1.5.5.7.3.4"] = "emailProtection",
            ["1.3.6.1.4.1.311.10.3.4"] = "EFS",
        };

        public static string Name(string oid) => Names.TryGetValue(oid, out var name) ? name : oid;
    }
}
