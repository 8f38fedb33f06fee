using System;
using System.IO;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>Where PSCertConnector keeps its state: the inventory database, embedded CAs and the secret key.</summary>
    public static class PscHome
    {
        public const string EnvironmentVariable = "PSCERTCONNECTOR_HOME";

        /// <param name="machineScope">Services and scheduled tasks use the machine-wide folder on Windows.</param>
        public static string Resolve(bool machineScope = false)
        {
            var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnv))
                return Path.GetFullPath(fromEnv);
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                var root = Environment.GetFolderPath(machineScope
                    ? Environment.SpecialFolder.CommonApplicationData
                    : Environment.SpecialFolder.LocalApplicationData);
                return Path.Combine(root, "PSCertConnector");
            }
            var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            if (string.IsNullOrWhiteSpace(dataHome))
                dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(dataHome, "pscertconnector");
        }
    }
}
