using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace PSCertConnector.Loader
{
    /// <summary>
    /// PowerShell 7's side of the module: the cmdlets and everything they depend on (BouncyCastle, SQLite, ...) load
    /// into this context from dependencies/, so another module's copies and ours never meet. PowerShell itself and the
    /// .NET libraries the host already carries at the same or a newer version are shared with the session.
    /// </summary>
    public sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private static readonly object Gate = new object();
        private static ModuleLoadContext? _instance;

        private readonly string _dependencies;
        private readonly Dictionary<string, string> _hostAssemblies;
        private readonly Dictionary<string, Version?> _hostVersions = new Dictionary<string, Version?>(StringComparer.OrdinalIgnoreCase);

        private ModuleLoadContext(string dependencies) : base("PSCertConnector")
        {
            _dependencies = dependencies;
            _hostAssemblies = HostAssemblies();
        }

        /// <summary>
        /// The cmdlet assembly, loaded in the module's context. One context serves the process: Remove-Module and
        /// Import-Module again (or -Force) get the same loaded assembly, as .NET cannot unload it in between.
        /// </summary>
        public static Assembly LoadCmdlets(string moduleFolder)
        {
            lock (Gate)
            {
                _instance ??= new ModuleLoadContext(Path.Combine(moduleFolder, ModuleLayout.DependencyFolderName));
                return _instance.LoadFromAssemblyName(new AssemblyName(ModuleLayout.CmdletAssemblyName));
            }
        }

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name == null) return null;
            var hostVersion = HostVersion(name.Name);
            if (hostVersion != null && (name.Version == null || hostVersion >= name.Version)) return null;
            if (name.Name == ModuleLayout.LdapAssemblyName)
            {
                var ldap = ModuleLayout.LdapAssemblyPath(_dependencies, ModuleLayout.CurrentOs);
                return File.Exists(ldap) ? LoadFromAssemblyPath(ldap) : null;
            }
            var path = ModuleLayout.DependencyPath(_dependencies, name.FullName);
            return path == null ? null : LoadFromAssemblyPath(path);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            if (unmanagedDllName.IndexOf(ModuleLayout.SqliteNativeName, StringComparison.Ordinal) < 0) return IntPtr.Zero;
            var path = ModuleLayout.NativeSqlitePath(_dependencies);
            return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
        }

        /// <summary>The version of the host's own copy of an assembly (the runtime's or PowerShell's), or null without one.</summary>
        private Version? HostVersion(string simpleName)
        {
            lock (_hostVersions)
            {
                if (_hostVersions.TryGetValue(simpleName, out var known)) return known;
                Version? version = null;
                if (_hostAssemblies.TryGetValue(simpleName, out var path))
                {
                    try { version = AssemblyName.GetAssemblyName(path).Version; }
                    catch (Exception ex) when (ex is BadImageFormatException or IOException or ArgumentException) { /* not a managed assembly */ }
                }
                return _hostVersions[simpleName] = version;
            }
        }

        /// <summary>The files the host was started with (the trusted platform assemblies), by simple name.</summary>
        private static Dictionary<string, string> HostAssemblies()
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
            foreach (var path in list.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
                result[Path.GetFileNameWithoutExtension(path)] = path;
            return result;
        }
    }
}
