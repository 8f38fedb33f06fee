using System;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Text;
using PSCertConnector.Core;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// Registers a Windows scheduled task that runs Invoke-CaMaintenance for the home: as SYSTEM, a gMSA or a service
    /// account. -XmlPath writes the task's definition instead (on any system), for review or schtasks /Create /XML.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Register, "CaMaintenanceTask", SupportsShouldProcess = true, DefaultParameterSetName = SystemSet)]
    [OutputType(typeof(string), typeof(FileInfo))]
    public sealed class RegisterCaMaintenanceTaskCommand : PscCmdlet
    {
        private const string SystemSet = "System";
        private const string GmsaSet = "Gmsa";
        private const string CredentialSet = "Credential";

        /// <summary>Run as SYSTEM: the default, named for scripts that want to say so.</summary>
        [Parameter(ParameterSetName = SystemSet)] public SwitchParameter AsSystem { get; set; }
        [Parameter] public string TaskName { get; set; } = ScheduledTaskDefinition.DefaultName;
        [Parameter] [ValidateRange(1, 1440)] public int IntervalMinutes { get; set; } = 15;
        /// <summary>A group managed service account, DOMAIN\name$.</summary>
        [Parameter(Mandatory = true, ParameterSetName = GmsaSet)] public string GroupManagedServiceAccount { get; set; } = "";
        /// <summary>A service account and its password (given to the Task Scheduler, not kept by PSCertConnector).</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)] [Credential] public PSCredential? Credential { get; set; }
        /// <summary>Write the task's XML here instead of registering it.</summary>
        [Parameter] public string? XmlPath { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var (account, name) = ParameterSetName switch
            {
                GmsaSet => (TaskAccountKind.GroupManagedServiceAccount, GroupManagedServiceAccount),
                CredentialSet => (TaskAccountKind.ServiceAccount, Credential!.UserName),
                _ => (TaskAccountKind.System, (string?)null),
            };
            var program = Process.GetCurrentProcess().MainModule?.FileName ?? "pwsh";
            string? assembly = Path.GetFileNameWithoutExtension(program).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
                ? Path.Combine(SessionState.PSVariable.GetValue("PSHOME")?.ToString() ?? "", "pwsh.dll") : null;
            if (HomeScope.WarningForOtherAccounts(Workspace.Home) is { } warning) WriteWarning(warning);
            var xml = ScheduledTaskDefinition.Render(program, assembly, ModuleManifest(), Workspace.Home, TimeSpan.FromMinutes(IntervalMinutes), account, name, DateTimeOffset.UtcNow.AddMinutes(1));
            if (XmlPath != null)
            {
                var full = Workspace.FullPath(XmlPath);
                if (!ShouldProcess(full, "Write the maintenance task's definition")) return;
                AtomicFile.Write(full, ScheduledTaskDefinition.FileBytes(xml));
                WriteObject(new FileInfo(full));
                return;
            }
            if (!ShouldProcess($"scheduled task '{TaskName}' (every {IntervalMinutes} minutes as {name ?? "SYSTEM"})", "Register")) return;
            WindowsTaskScheduler.Register(TaskName, xml, account, name, Plain(Credential?.Password));
            WriteObject(TaskName);
        });

        /// <summary>The module's manifest beside the dependencies folder this assembly is in.</summary>
        private static string ModuleManifest()
        {
            var folder = Path.GetDirectoryName(typeof(RegisterCaMaintenanceTaskCommand).Assembly.Location) ?? "";
            var manifest = Path.Combine(Path.GetDirectoryName(folder) ?? folder, "PSCertConnector.psd1");
            return File.Exists(manifest) ? manifest : "PSCertConnector";
        }
    }
}
