using System;
using System.Runtime.InteropServices;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// Environment variables that native libraries (MIT Kerberos, OpenLDAP) read with getenv. .NET keeps its own copy
    /// of the environment on Unix, so Environment.SetEnvironmentVariable alone never reaches them.
    /// </summary>
    public static class NativeEnvironment
    {
        [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
        private static extern int SetEnv(string name, string value, int overwrite);

        [DllImport("libc", EntryPoint = "unsetenv", SetLastError = true)]
        private static extern int UnsetEnv(string name);

        public static void Set(string name, string? value)
        {
            Environment.SetEnvironmentVariable(name, value);
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            var result = value == null ? UnsetEnv(name) : SetEnv(name, value, 1);
            if (result != 0) throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastWin32Error()}.");
        }
    }
}
