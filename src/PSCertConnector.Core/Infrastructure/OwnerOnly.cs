using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// Files (0600) and folders (0700) only their owner can read, whatever the umask: the home, keys, databases and CA
    /// files. Inside a machine home (see <see cref="HomeScope"/>) they are shared with its group instead: folders 2770
    /// (new files take the group), files 0660, the secret key 0640. chmod and chown through libc, since netstandard2.0
    /// names neither. On Windows the profile's or ProgramData's ACLs apply.
    /// </summary>
    internal static class OwnerOnly
    {
        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, uint mode);

        [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
        private static extern int Chown(string path, int owner, int group);

        [DllImport("libc", EntryPoint = "geteuid")]
        private static extern uint GetEffectiveUserId();

        [DllImport("libc", EntryPoint = "getgrnam", SetLastError = true)]
        private static extern IntPtr GetGroupByName(string name);

        private static bool Applies => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        // Machine homes this process uses, with their group (null: keep the group a file gets from its setgid folder).
        private static readonly Dictionary<string, uint?> SharedRoots = new Dictionary<string, uint?>(StringComparer.Ordinal);

        /// <summary>Paths under <paramref name="root"/> are shared with its group from now on in this process.</summary>
        public static void ShareWithGroup(string root, uint? groupId)
        {
            lock (SharedRoots) SharedRoots[Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar] = groupId;
        }

        public static uint EffectiveUserId() => Applies ? GetEffectiveUserId() : uint.MaxValue;

        /// <summary>The id of a Unix group by name, or null when there is none.</summary>
        public static uint? GroupId(string name)
        {
            if (!Applies) return null;
            var entry = GetGroupByName(name);
            // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }
            return entry == IntPtr.Zero ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        }

        public static void RestrictFile(string path) => Restrict(path, folder: false);

        /// <summary>0644: what the owner alone writes and every account reads (a machine home's scope.json).</summary>
        public static void ReadableByAll(string path)
        {
            if (Applies) SetMode(Path.GetFullPath(path), Convert.ToUInt32("644", 8));
        }

        public static void RestrictFolder(string path) => Restrict(path, folder: true);

        /// <summary>Creates the folder and any missing parents; those it creates are 0700 (2770 in a machine home), existing ones are left as they are.</summary>
        public static void CreateFolder(string path)
        {
            var missing = new Stack<string>();
            for (var folder = Path.GetFullPath(path); !string.IsNullOrEmpty(folder) && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
                missing.Push(folder);
            Directory.CreateDirectory(path);
            if (!Applies) return;
            foreach (var created in missing) Restrict(created, folder: true);
        }

        /// <summary>
        /// An empty file made 0600 (0660 in a machine home) before anything is written to it, when it does not exist yet:
        /// a database for SQLite to open (SQLite gives its -wal and -shm files the same mode), the event log and its lock.
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

        private static void Restrict(string path, bool folder)
        {
            if (!Applies) return;
            var full = Path.GetFullPath(path);
            var (shared, group) = SharedRoot(full);
            // Group members read the secret key but never replace it (its folder keys/ is only read by them, too).
            bool key = Path.GetFileName(full).StartsWith("secret.key", StringComparison.Ordinal) || Path.GetFileName(full) == "keys";
            uint mode = !shared ? (folder ? Convert.ToUInt32("700", 8) : Convert.ToUInt32("600", 8))
                : folder ? (key ? Convert.ToUInt32("2750", 8) : Convert.ToUInt32("2770", 8))
                : key ? Convert.ToUInt32("640", 8) : Convert.ToUInt32("660", 8);
            if (shared && group.HasValue && Chown(full, -1, (int)group.Value) != 0)
                throw new PscException("PermissionsNotSet", FailureCategory.PermissionDenied,
                    $"Could not give '{full}' to the machine home's group (chown failed with errno {Marshal.GetLastWin32Error()}).") { Target = full };
            SetMode(full, mode);
        }

        private static void SetMode(string full, uint mode)
        {
            if (Chmod(full, mode) != 0)
                throw new PscException("PermissionsNotSet", FailureCategory.PermissionDenied,
                    $"Could not set the permissions of '{full}' (chmod {Convert.ToString(mode, 8)} failed with errno {Marshal.GetLastWin32Error()}).") { Target = full };
        }

        /// <summary>Whether the path is in a machine home, and that home's group (null when the folder's setgid gives it).</summary>
        private static (bool Shared, uint? Group) SharedRoot(string full)
        {
            lock (SharedRoots)
                foreach (var pair in SharedRoots)
                    if ((full + Path.DirectorySeparatorChar).StartsWith(pair.Key, StringComparison.Ordinal)) return (true, pair.Value);
            return (false, null);
        }
    }
}
