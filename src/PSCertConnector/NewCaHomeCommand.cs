using System.IO;
using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// Makes a home ready. -Scope Machine makes the machine's home, which services and scheduled tasks running as other
    /// accounts share (%ProgramData%\PSCertConnector with DPAPI LocalMachine; /var/lib/pscertconnector shared with a group).
    /// </summary>
    [Cmdlet(VerbsCommon.New, "CaHome", SupportsShouldProcess = true)]
    [OutputType(typeof(DirectoryInfo))]
    public sealed class NewCaHomeCommand : PscCmdlet
    {
        [Parameter] [ValidateSet("User", "Machine", IgnoreCase = true)] public string Scope { get; set; } = "User";
        [Parameter] public string? Path { get; set; }
        /// <summary>Off Windows, with -Scope Machine: the group whose members run the maintenance.</summary>
        [Parameter] public string? Group { get; set; }

        // The home is made here, not opened: Workspace (the one this cmdlet would open) is never touched.
        protected override void ProcessRecord() => Run(() =>
        {
            bool machine = Scope.Equals("Machine", System.StringComparison.OrdinalIgnoreCase);
            var path = Path == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(path ?? (machine ? "the machine's home" : "the user's home"), "Make the PSCertConnector home ready")) return;
            WriteObject(new DirectoryInfo(Core.Operations.Workspace.CreateHome(machine, path, Group)));
        });
    }
}
