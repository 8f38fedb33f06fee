using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// Files (0600) and folders (0700) only their owner can read, whatever the umask: the home, keys, databases and CA
    /// files. chmod through libc, since File.SetUnixFileMode is not in netstandard2.0. On Windows the profile's ACLs apply.
    /// </summary>
    internal static class OwnerOnly
    {
        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, uint mode);

        private static bool Applies => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static void RestrictFile(string path) => Restrict(path, Convert.ToUInt32("600", 8));

        /// <summary>Creates the folder and any missing parents; those it creates are 0700, existing ones are left as they are.</summary>
        public static void CreateFolder(string path)
        {
            var missing = new Stack<string>();
            for (var folder = Path.GetFullPath(path); !string.IsNullOrEmpty(folder) && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
                missing.Push(folder);
            Directory.CreateDirectory(path);
            if (!Applies) return;
            foreach (var created in missing) Restrict(created, Convert.ToUInt32("700", 8));
        }

        /// <summary>
        /// An empty file made 0600 before anything is written to it, when it does not exist yet: a database for SQLite to
        /// open (SQLite gives its -wal and -shm files the same mode), the event log and its lock.
        /// </summary>
        public static void CreateFile(string path)
        {
            if (File.Exists(path)) return;
            try
            {
                using (new FileStream(path, FileMode.CreateNew, FileAccess.Write)) { }
            }
            catch (IOException) when (File.Exists(path)) { return; } // another process made it first
            RestrictFile(path);
        }

        private static void Restrict(string path, uint mode)
        {
            if (!Applies) return;
            if (Chmod(path, mode) != 0)
                throw new PscException("PermissionsNotSet", FailureCategory.PermissionDenied,
                    $"Could not restrict '{path}' to its owner (chmod {Convert.ToString(mode, 8)} failed with errno {Marshal.GetLastWin32Error()}).") { Target = path };
        }
    }
}
