using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class HomeCreateCommand : CliCommand
    {
        public HomeCreateCommand() : base("home create",
            "Make a home ready (inventory and secret key). --machine makes the machine's home, shared by the services, timers and tasks that run as other accounts: as root, in /var/lib/pscertconnector (or --path), its files shared with --group (default pscertconnector).",
            CliOption.Flag("machine", "the machine's home (needs root, or an elevated session on Windows)"),
            new CliOption("path", "the folder (default: the user's home folder, or /var/lib/pscertconnector with --machine)"),
            new CliOption("group", "with --machine, off Windows: the group whose members run the maintenance (default pscertconnector)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            if (cl.Has("group") && !cl.Has("machine")) throw CommandLine.Usage("--group goes with --machine.");
            if (cl.Has("what-if"))
            {
                run.Err.WriteLine($"What if: would make {(cl.Has("machine") ? "the machine's" : "the user's")} home ready{(cl.Get("path") is string p ? $" in '{p}'" : "")}.");
                return 0;
            }
            var home = Workspace.CreateHome(cl.Has("machine"), cl.Get("path"), cl.Get("group"));
            run.Out.WriteLine(home);
            if (cl.Has("machine")) run.Err.WriteLine($"Services and timers use it with PSCERTCONNECTOR_HOME={home} (or PSCERTCONNECTOR_SCOPE=Machine for the default folder).");
            return 0;
        }
    }
}
