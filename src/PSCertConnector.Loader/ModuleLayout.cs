using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PSCertConnector.Loader
{
    /// <summary>
    /// Where the built module keeps each dependency (the layout the build writes under dependencies/). Compiled into
    /// the loader (PowerShell 7) and into the cmdlet assembly (Windows PowerShell 5.1), so both resolve the same way.
    /// </summary>
    internal static class ModuleLayout
    {
        public const string DependencyFolderName = "dependencies";
        public const string CmdletAssemblyName = "PSCertConnector";
        public const string LdapAssemblyName = "System.DirectoryServices.Protocols";
        public const string SqliteNativeName = "e_sqlite3";

        public static OSPlatform CurrentOs => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? OSPlatform.Windows
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? OSPlatform.OSX : OSPlatform.Linux;

        /// <summary>The file in the dependencies folder for an assembly name, or null when we do not ship it.</summary>
        public static string? DependencyPath(string folder, string assemblyFullName)
        {
            string? simpleName;
            try { simpleName = new AssemblyName(assemblyFullName).Name; }
            catch (Exception ex) when (ex is ArgumentException or FileLoadException) { return null; }
            if (string.IsNullOrEmpty(simpleName) || simpleName!.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) return null;
            var path = Path.Combine(folder, simpleName + ".dll");
            return File.Exists(path) ? path : null;
        }

        /// <summary>
        /// System.DirectoryServices.Protocols for PowerShell 7 (.NET 8 or later) on this OS: Wldap32 on Windows, OpenLDAP
        /// elsewhere. Its netstandard2.0 build is a facade that only throws, so it is not shipped.
        /// </summary>
        public static string LdapAssemblyPath(string folder, OSPlatform os) =>
            Path.Combine(folder, "runtimes", os == OSPlatform.Windows ? "win" : os == OSPlatform.OSX ? "osx" : "linux", "lib", "net8.0", LdapAssemblyName + ".dll");

        /// <summary>The runtime identifier whose native SQLite fits this process (musl on Alpine and friends).</summary>
        public static string NativeRuntimeIdentifier(OSPlatform os, Architecture architecture, bool musl)
        {
            string arch = architecture switch
            {
                Architecture.X86 => "x86",
                Architecture.Arm64 => "arm64",
                Architecture.Arm => "arm",
                _ => "x64",
            };
            if (os == OSPlatform.Windows) return "win-" + arch;
            if (os == OSPlatform.OSX) return "osx-" + arch;
            return (musl ? "linux-musl-" : "linux-") + arch;
        }

        /// <summary>Where the SQLite native library for a runtime identifier lives under the dependencies folder.</summary>
        public static string NativeSqlitePath(string folder, string runtimeIdentifier)
        {
            var file = runtimeIdentifier.StartsWith("win", StringComparison.Ordinal) ? "e_sqlite3.dll"
                : runtimeIdentifier.StartsWith("osx", StringComparison.Ordinal) ? "libe_sqlite3.dylib" : "libe_sqlite3.so";
            return Path.Combine(folder, "runtimes", runtimeIdentifier, "native", file);
        }

        /// <summary>This process's native SQLite path.</summary>
        public static string NativeSqlitePath(string folder) =>
            NativeSqlitePath(folder, NativeRuntimeIdentifier(CurrentOs, RuntimeInformation.ProcessArchitecture, IsMusl()));

        /// <summary>musl's loader is named ld-musl-*; glibc systems have none.</summary>
        private static bool IsMusl() =>
            CurrentOs == OSPlatform.Linux && Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
    }
}
