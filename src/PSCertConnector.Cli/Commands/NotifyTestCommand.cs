using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class NotifyTestCommand : CliCommand
    {
        public NotifyTestCommand() : base("notify test", "Send a test message on each rule named, to see the mail server, webhook or command works.") { }

        public override int Run(CommandLine cl, Invocation run)
        {
            if (cl.Positionals.Count == 0) throw CommandLine.Usage("Name the rules to test.");
            return run.Op(false, (ws, s) => new NotificationOperations(ws, s).Test(cl.Positionals));
        }
    }
}
