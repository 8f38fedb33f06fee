using System;
using System.Management.Automation;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// PowerShell 7 looks up type names ([PSCertConnector.Core.PscException] in a catch, a cast, -is) only among the
    /// default context's assemblies. Our public types live in the module's own context, so they are registered under their
    /// full names as type accelerators while the module is imported (never replacing a name someone else registered).
    /// </summary>
    internal static class PublicTypeNames
    {
        private static readonly System.Collections.Generic.List<string> Added = new System.Collections.Generic.List<string>();

        private static Type? Accelerators => typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

        public static void Register()
        {
            var accelerators = Accelerators;
            var add = accelerators?.GetMethod("Add", new[] { typeof(string), typeof(Type) });
            var existing = accelerators?.GetProperty("Get")?.GetValue(null) as System.Collections.Generic.IDictionary<string, Type>;
            if (add == null || existing == null) return;
            lock (Added)
            {
                if (Added.Count > 0) return;
                foreach (var assembly in new[] { typeof(PublicTypeNames).Assembly, typeof(Core.PscException).Assembly })
                    foreach (var type in assembly.GetExportedTypes())
                    {
                        if (type.FullName == null || type.IsNested || existing.ContainsKey(type.FullName)) continue;
                        add.Invoke(null, new object[] { type.FullName, type });
                        Added.Add(type.FullName);
                    }
            }
        }

        public static void Unregister()
        {
            var remove = Accelerators?.GetMethod("Remove", new[] { typeof(string) });
            if (remove == null) return;
            lock (Added)
            {
                foreach (var name in Added) remove.Invoke(null, new object[] { name });
                Added.Clear();
            }
        }
    }
}
