using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// A home is the user's own (the default: only its owner reads it) or the machine's: made by an administrator so
    /// that a service, scheduled task or timer running as another account uses it too. A machine home says so in its
    /// scope.json. On Windows its secrets are protected with DPAPI's LocalMachine scope; elsewhere its folders and files
    /// belong to a group (folders 2770, files 0660, the key file 0640), whose members are the accounts that run the work.
    /// </summary>
    public sealed record HomeScope
    {
        public const string FileName = "scope.json";
        public const string ScopeVariable = "PSCERTCONNECTOR_SCOPE";

        public bool Machine { get; init; }
        /// <summary>The group that shares a machine home (off Windows; on Windows the group or account given modify rights).</summary>
        public string? Group { get; init; }

        public static readonly HomeScope User = new HomeScope();

        /// <summary>The folder a machine home lives in by default: %ProgramData%\PSCertConnector, or /var/lib/pscertconnector.</summary>
        public static string DefaultMachineFolder => RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "PSCertConnector")
            : "/var/lib/pscertconnector";

        /// <summary>
        /// What to tell someone setting up a unit or task that runs as another account on this home: null for a machine
        /// home; for a user's home, that its secrets are for its owner alone.
        /// </summary>
        public static string? WarningForOtherAccounts(string home) =>
            Directory.Exists(home) && Of(home).Machine ? null
                : $"'{home}' is a user's home: its secrets are for its owner alone, so a unit or task running as another account cannot use them. " +
                  $"Make a machine home ({UserText.Command("home create --machine", "New-CaHome -Scope Machine, elevated")}) and set it up from there.";

        public static HomeScope Of(string home)
        {
            var file = Path.Combine(home, FileName);
            if (!File.Exists(file)) return User;
            // The group a machine home is shared with is the administrator's choice: a scope.json others can change is refused.
            if (UnixFileModes.Get(file) is int mode && (mode & Convert.ToInt32("22", 8)) != 0)
                throw new PscException("HomeUnusable", FailureCategory.PermissionDenied,
                    $"The home's '{file}' can be changed by accounts other than its owner (mode {Convert.ToString(mode, 8)}); restore it to 0644 (chmod 644).") { Target = file };
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(file));
                var root = json.RootElement;
                bool machine = root.TryGetProperty("scope", out var scope) && string.Equals(scope.GetString(), "machine", StringComparison.OrdinalIgnoreCase);
                return new HomeScope { Machine = machine, Group = root.TryGetProperty("group", out var group) ? group.GetString() : null };
            }
            catch (Exception ex) when (ex is JsonException or IOException or InvalidOperationException)
            {
                throw new PscException("HomeUnusable", FailureCategory.InvalidData, $"The home's '{file}' cannot be read: {ex.Message}") { Target = file };
            }
        }

        /// <summary>
        /// Makes a machine home: only an administrator (root, or an elevated session on Windows) may, since it decides
        /// what services on this machine trust. Off Windows the group must exist; its members get to read and run it.
        /// </summary>
        public static string CreateMachineHome(string? folder, string? group)
        {
            var home = Path.GetFullPath(folder ?? DefaultMachineFolder);
            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            if (!Elevated())
                throw new PscException("ElevationRequired", FailureCategory.PermissionDenied,
                    $"A machine home is shared by the services and tasks of this machine, so only an administrator makes it: run this {(windows ? "in an elevated session (Run as administrator)" : "as root (sudo)")}. " +
                    $"For your own use, leave out the machine scope: your home is kept where only you read it.") { Target = home };
            if (File.Exists(Path.Combine(home, FileName)) && Of(home).Machine) return home;
            if (Directory.Exists(home) && Directory.EnumerateFileSystemEntries(home).GetEnumerator().MoveNext())
                throw new PscException("HomeNotEmpty", FailureCategory.ResourceExists,
                    $"The folder '{home}' is not empty; a machine home starts in an empty or new folder.") { Target = home };
            uint? gid = null;
            if (!windows)
            {
                group ??= "pscertconnector";
                gid = OwnerOnly.GroupId(group) ?? throw new PscException("GroupNotFound", FailureCategory.ObjectNotFound,
                    $"The group '{group}' does not exist. Create it (groupadd {group}) and add the accounts that run the maintenance (usermod -aG {group} ACCOUNT).") { Target = group };
            }
            Directory.CreateDirectory(home);
            // scope.json is the administrator's: readable by all, writable by no member of the group (it names the group).
            var scope = JsonSerializer.Serialize(new { scope = "machine", group });
            AtomicFile.Write(Path.Combine(home, FileName), Encoding.UTF8.GetBytes(scope + "\n"), ownerOnly: true);
            OwnerOnly.ReadableByAll(Path.Combine(home, FileName));
            if (windows)
            {
                RestrictWindowsFolder(home, group);
                Events.WindowsEventLog.Register(); // the event log sources need the elevation this has
            }
            OwnerOnly.ShareWithGroup(home, gid);
            OwnerOnly.RestrictFolder(home);
            return home;
        }

        /// <summary>
        /// ProgramData lets every user read (and create) below it: the home gets its own ACL instead, SYSTEM and
        /// Administrators in full, the named group or account (the task's gMSA, say) allowed to modify, nobody else.
        /// Windows only; not run on this project's Linux CI.
        /// </summary>
        private static void RestrictWindowsFolder(string home, string? group)
        {
            var grant = "/grant:r *S-1-5-18:(OI)(CI)F /grant:r *S-1-5-32-544:(OI)(CI)F" + (group != null ? $" /grant:r \"{group}\":(OI)(CI)M" : "");
            var start = new System.Diagnostics.ProcessStartInfo("icacls.exe", $"\"{home}\" /inheritance:r {grant}")
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new PscException("PermissionsNotSet", FailureCategory.PermissionDenied, $"icacls could not restrict '{home}': {DisplayText.Escape(output.Trim(), 300)}") { Target = home };
        }

        private static bool Elevated() =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? IsUserAnAdmin() : OwnerOnly.EffectiveUserId() == 0;

        [DllImport("shell32.dll")]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool IsUserAnAdmin();
    }
}
