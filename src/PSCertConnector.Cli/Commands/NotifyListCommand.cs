using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class NotifyListCommand : CliCommand
    {
        public NotifyListCommand() : base("notify list", "List the notification rules (or show the one named).") { }

        public override int Run(CommandLine cl, Invocation run)
        {
            if (cl.Positionals.Count > 1) throw CommandLine.Usage("Name one rule, or none for all.");
            var name = cl.Positionals.Count == 1 ? cl.Positionals[0] : null;
            return run.Op(false, (ws, s) => new NotificationOperations(ws, s).List(name), single: name != null);
        }
    }
}
