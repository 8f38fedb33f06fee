using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// Loads our dependencies from the module's dependencies/ folder only, so that another module's
    /// BouncyCastle or SQLite cannot collide with ours and ours cannot leak into the session's probing.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string ModuleFolder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
        internal static readonly string DependencyFolder = Path.Combine(ModuleFolder, "dependencies");

        public void OnImport()
        {
            AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
            PreloadNativeSqlite();
        }

        public void OnRemove(PSModuleInfo module) => AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;

        private const string LdapAssembly = "System.DirectoryServices.Protocols";
        /// <summary>The .NET Framework's own LDAP assembly (what the package defers to on net462).</summary>
        private const string FrameworkLdapAssembly = LdapAssembly + ", Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a";

        private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
        {
            if (new AssemblyName(args.Name).Name == LdapAssembly)
            {
                if (IsNetFramework) return Assembly.Load(FrameworkLdapAssembly);
                var ldap = LdapAssemblyPath(DependencyFolder, CurrentOs);
                return File.Exists(ldap) ? Assembly.LoadFrom(ldap) : null;
            }
            var path = DependencyPath(DependencyFolder, args.Name);
            return path == null ? null : Assembly.LoadFrom(path);
        }

        private static bool IsNetFramework => RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        private static OSPlatform CurrentOs => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? OSPlatform.Windows
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? OSPlatform.OSX : OSPlatform.Linux;

        /// <summary>
        /// System.DirectoryServices.Protocols for PowerShell 7 (.NET 8 or later) on this OS: Wldap32 on Windows, OpenLDAP
        /// elsewhere. Its netstandard2.0 build is a facade that only throws, so it is not shipped.
        /// </summary>
        public static string LdapAssemblyPath(string folder, OSPlatform os) =>
            Path.Combine(folder, "runtimes", os == OSPlatform.Windows ? "win" : os == OSPlatform.OSX ? "osx" : "linux", "lib", "net8.0", LdapAssembly + ".dll");

        /// <summary>The file in the dependencies folder for an assembly name, or null when we do not ship it.</summary>
        public static string? DependencyPath(string folder, string assemblyFullName)
        {
            var simpleName = new AssemblyName(assemblyFullName).Name;
            if (string.IsNullOrEmpty(simpleName) || simpleName!.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) return null;
            var path = Path.Combine(folder, simpleName + ".dll");
            return File.Exists(path) ? path : null;
        }

        /// <summary>Where the SQLite native library for this OS and architecture lives, relative to the dependencies folder.</summary>
        public static string NativeSqlitePath(string folder, OSPlatform os, Architecture architecture)
        {
            string arch = architecture switch
            {
                Architecture.X86 => "x86",
                Architecture.Arm64 => "arm64",
                Architecture.Arm => "arm",
                _ => "x64",
            };
            if (os == OSPlatform.Windows) return Path.Combine(folder, "runtimes", "win-" + arch, "native", "e_sqlite3.dll");
            if (os == OSPlatform.OSX) return Path.Combine(folder, "runtimes", "osx-" + arch, "native", "libe_sqlite3.dylib");
            return Path.Combine(folder, "runtimes", "linux-" + arch, "native", "libe_sqlite3.so");
        }

        [DllImport("kernel32", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern IntPtr LoadLibrary(string path);

        /// <summary>
        /// A module has no deps.json to point the runtime at its native SQLite. On Windows, loading it by full
        /// path first lets the later load by name find it; on PowerShell 7 elsewhere a DllImport resolver
        /// (set through reflection: netstandard2.0 has no NativeLibrary) hands out the same path.
        /// </summary>
        private static void PreloadNativeSqlite()
        {
            var os = CurrentOs;
            var path = NativeSqlitePath(DependencyFolder, os, RuntimeInformation.ProcessArchitecture);
            if (!File.Exists(path)) return;
            if (os == OSPlatform.Windows)
            {
                LoadLibrary(path);
                return;
            }
            var nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
            var resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver");
            var provider = DependencyPath(DependencyFolder, "SQLitePCLRaw.provider.e_sqlite3");
            if (nativeLibrary == null || resolverType == null || provider == null) return;
            var setResolver = nativeLibrary.GetMethods().FirstOrDefault(m => m.Name == "SetDllImportResolver");
            var load = nativeLibrary.GetMethods().FirstOrDefault(m => m.Name == "Load" && m.GetParameters().Length == 1);
            if (setResolver == null || load == null) return;
            _nativeSqlite = path;
            _load = load;
            var resolver = Delegate.CreateDelegate(resolverType, typeof(ModuleInitializer).GetMethod(nameof(ResolveNative), BindingFlags.NonPublic | BindingFlags.Static)!);
            try { setResolver.Invoke(null, new object[] { Assembly.LoadFrom(provider), resolver }); }
            catch (TargetInvocationException) { /* a resolver is already set for that assembly in this process */ }
        }

        private static string? _nativeSqlite;
        private static MethodInfo? _load;

        private static IntPtr ResolveNative(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
            libraryName.Contains("e_sqlite3") && _nativeSqlite != null && _load != null
                ? (IntPtr)_load.Invoke(null, new object[] { _nativeSqlite })!
                : IntPtr.Zero;
    }
}
