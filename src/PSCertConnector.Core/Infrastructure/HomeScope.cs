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
        /// <summary>The group that shares a machine home off Windows.</summary>
        public string? Group { get; init; }

        public static readonly HomeScope User = new HomeScope();

        /// <summary>The folder a machine home lives in by default: %ProgramData%\PSCertConnector, or /var/lib/pscertconnector.</summary>
        public static string DefaultMachineFolder => RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "PSCertConnector")
            : "/var/lib/pscertconnector";

        public static HomeScope Of(string home)
        {
            var file = Path.Combine(home, FileName);
            if (!File.Exists(file)) return User;
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
            OwnerOnly.ShareWithGroup(home, gid);
            OwnerOnly.RestrictFolder(home);
            if (windows) Events.WindowsEventLog.Register(); // the event log sources need the elevation this has
            var scope = JsonSerializer.Serialize(new { scope = "machine", group = windows ? null : group });
            AtomicFile.Write(Path.Combine(home, FileName), Encoding.UTF8.GetBytes(scope + "\n"), ownerOnly: true);
            return home;
        }

        private static bool Elevated() =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? IsUserAnAdmin() : OwnerOnly.EffectiveUserId() == 0;

        [DllImport("shell32.dll")]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool IsUserAnAdmin();
    }
}
