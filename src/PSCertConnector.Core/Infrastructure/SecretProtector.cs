using System.IO;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Infrastructure
{
    public static class SecretProtector
    {
        /// <summary>DPAPI on Windows (LocalMachine scope for a machine home); elsewhere a key file readable only by its owner (and a machine home's group).</summary>
        public static ISecretProtector ForHome(string home, bool machineScope = false)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                return new DpapiSecretProtector(machineScope);
            return new KeyFileSecretProtector(Path.Combine(home, "keys", "secret.key"));
        }
    }
}
