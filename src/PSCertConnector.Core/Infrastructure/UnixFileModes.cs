using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// Reads and sets a file's Unix permission bits, so a replaced file keeps the mode its owner gave it. The runtimes we
    /// run on (.NET 8 under PowerShell 7, .NET 10 for the CLI) have File.GetUnixFileMode; netstandard2.0 does not name it,
    /// so it is found at run time. Windows (ACLs) and runtimes without it: null, nothing changed.
    /// </summary>
    internal static class UnixFileModes
    {
        private static readonly MethodInfo? GetMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
        private static readonly MethodInfo? SetMode = GetMode == null ? null
            : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), GetMode.ReturnType });

        public static int? Get(string path)
        {
            if (GetMode == null || RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || !File.Exists(path)) return null;
            return Convert.ToInt32(GetMode.Invoke(null, new object[] { path }));
        }

        public static void Set(string path, int mode)
        {
            if (SetMode == null || RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            SetMode.Invoke(null, new[] { path, Enum.ToObject(GetMode!.ReturnType, mode) });
        }
    }
}
