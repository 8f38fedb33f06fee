using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using PSCertConnector.Loader;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// Windows PowerShell 5.1's side of dependency isolation. There is no AssemblyLoadContext on .NET Framework, so an
    /// AssemblyResolve handler hands out the files in dependencies/, and only to our own assemblies: another module's
    /// request for a BouncyCastle or SQLite is never answered with ours. On PowerShell 7 the loader's context has already
    /// resolved everything (PSCertConnector.psm1) and this does nothing.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string DependencyFolder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
        private static bool _registered;

        public void OnImport()
        {
            if (LoadedInOwnContext())
            {
                SetPowerShellFace();
                PublicTypeNames.Register();
                return;
            }
            if (!_registered)
            {
                _registered = true;
                AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
                PreloadNativeSqlite();
            }
            SetPowerShellFace();
        }

        public void OnRemove(PSModuleInfo module)
        {
            PublicTypeNames.Unregister();
            if (!_registered) return;
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
            _registered = false;
        }

        /// <summary>Messages name cmdlets, not certconnector commands. A method of its own: Core must be resolvable before it runs.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void SetPowerShellFace() => Core.UserText.Face = Core.UserFace.PowerShell;

        /// <summary>True on PowerShell 7 when the loader put us in the module's AssemblyLoadContext (found by reflection: netstandard2.0).</summary>
        private static bool LoadedInOwnContext()
        {
            var contextType = Type.GetType("System.Runtime.Loader.AssemblyLoadContext");
            if (contextType == null) return false;
            var own = contextType.GetMethod("GetLoadContext", new[] { typeof(Assembly) })?.Invoke(null, new object[] { typeof(ModuleInitializer).Assembly });
            var defaultContext = contextType.GetProperty("Default")?.GetValue(null);
            return own != null && !ReferenceEquals(own, defaultContext);
        }

        private const string FrameworkLdapAssembly = ModuleLayout.LdapAssemblyName + ", Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a";

        private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
        {
            if (!IsOurs(args.RequestingAssembly)) return null;
            if (new AssemblyName(args.Name).Name == ModuleLayout.LdapAssemblyName)
            {
                // .NET Framework has a working LDAP assembly of its own; PowerShell 7 needs the per-OS build.
                if (IsNetFramework) return Assembly.Load(FrameworkLdapAssembly);
                var ldap = ModuleLayout.LdapAssemblyPath(DependencyFolder, ModuleLayout.CurrentOs);
                return File.Exists(ldap) ? Assembly.LoadFrom(ldap) : null;
            }
            var path = ModuleLayout.DependencyPath(DependencyFolder, args.Name);
            return path == null ? null : Assembly.LoadFrom(path);
        }

        /// <summary>Requests from an assembly we shipped (anything loaded from dependencies/).</summary>
        private static bool IsOurs(Assembly? requesting)
        {
            if (requesting == null || requesting.IsDynamic) return false;
            var location = requesting.Location;
            return !string.IsNullOrEmpty(location) &&
                   string.Equals(Path.GetDirectoryName(location), DependencyFolder, StringComparison.OrdinalIgnoreCase);
        }

        private static bool IsNetFramework => RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        [DllImport("kernel32", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern IntPtr LoadLibrary(string path);

        /// <summary>
        /// A module has no deps.json to point the runtime at its native SQLite. On Windows, loading it by full path first
        /// lets the later load by name find it; on .NET elsewhere a DllImport resolver (set through reflection:
        /// netstandard2.0 has no NativeLibrary) hands out the same path.
        /// </summary>
        private static void PreloadNativeSqlite()
        {
            var path = ModuleLayout.NativeSqlitePath(DependencyFolder);
            if (!File.Exists(path)) return;
            if (ModuleLayout.CurrentOs == OSPlatform.Windows)
            {
                LoadLibrary(path);
                return;
            }
            var nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
            var resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver");
            var provider = ModuleLayout.DependencyPath(DependencyFolder, "SQLitePCLRaw.provider.e_sqlite3");
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
            libraryName.Contains(ModuleLayout.SqliteNativeName) && _nativeSqlite != null && _load != null
                ? (IntPtr)_load.Invoke(null, new object[] { _nativeSqlite })!
                : IntPtr.Zero;
    }
}
