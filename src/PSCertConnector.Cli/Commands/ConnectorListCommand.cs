using System.Linq;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConnectorListCommand : CliCommand
    {
        public ConnectorListCommand() : base("connector list", "List connectors; an optional name pattern (wildcards * ?).") { }

        public override int Run(CommandLine cl, Invocation run) =>
            run.Op(false, (ws, s) => new ConnectorOperations(ws, s).List(cl.Positionals.FirstOrDefault()));
    }
}
