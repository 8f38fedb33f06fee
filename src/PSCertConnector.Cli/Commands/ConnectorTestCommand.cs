using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConnectorTestCommand : CliCommand
    {
        public ConnectorTestCommand() : base("connector test", "Test connectors (all when none is named).", CliOption.Flag("all", "test every connector")) { }

        public override int Run(CommandLine cl, Invocation run) =>
            run.Op(false, (ws, s) => new ConnectorOperations(ws, s).Test(Arguments.ConnectorNames(cl, ws)));
    }
}
