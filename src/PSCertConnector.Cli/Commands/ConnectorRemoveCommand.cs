using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConnectorRemoveCommand : CliCommand
    {
        public ConnectorRemoveCommand() : base("connector remove", "Remove connectors; their orders and certificates stay in the inventory. Needs --yes.") { }

        public override int Run(CommandLine cl, Invocation run) =>
            run.Op(true, (ws, s) => new ConnectorOperations(ws, s).Remove(Arguments.PositionalsRequired(cl, "connector name")));
    }
}
