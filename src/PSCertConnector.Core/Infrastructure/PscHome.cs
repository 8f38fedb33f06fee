using System;
using System.IO;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>Where PSCertConnector keeps its state: the inventory database, embedded CAs and the secret key.</summary>
    public static class PscHome
    {
        public const string EnvironmentVariable = "PSCERTCONNECTOR_HOME";

        /// <summary>
        /// PSCERTCONNECTOR_HOME when set; else the machine home when PSCERTCONNECTOR_SCOPE is Machine (what a service or
        /// task an administrator set up uses); else the user's own folder.
        /// </summary>
        public static string Resolve()
        {
            var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnv))
                return Path.GetFullPath(fromEnv);
            if (string.Equals(Environment.GetEnvironmentVariable(HomeScope.ScopeVariable), "machine", StringComparison.OrdinalIgnoreCase))
                return HomeScope.DefaultMachineFolder;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "PSCertConnector");
            var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            if (string.IsNullOrWhiteSpace(dataHome))
                dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(dataHome, "pscertconnector");
        }
    }
}
