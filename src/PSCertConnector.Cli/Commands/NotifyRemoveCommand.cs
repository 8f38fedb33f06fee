using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class NotifyRemoveCommand : CliCommand
    {
        public NotifyRemoveCommand() : base("notify remove", "Remove notification rules by name (needs --yes); what they sent is forgotten with them.") { }

        public override int Run(CommandLine cl, Invocation run)
        {
            if (cl.Positionals.Count == 0) throw CommandLine.Usage("Name the rules to remove.");
            return run.Op(true, (ws, s) => new NotificationOperations(ws, s).Remove(cl.Positionals));
        }
    }
}
