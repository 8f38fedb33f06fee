using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConnectorShowCommand : CliCommand
    {
        public ConnectorShowCommand() : base("connector show", "Show one connector: certconnector connector show NAME.") { }

        public override int Run(CommandLine cl, Invocation run) =>
            run.Op(false, (ws, s) => new ConnectorOperations(ws, s).List(Arguments.RequirePositional(cl, "connector name")), single: true);
    }
}
