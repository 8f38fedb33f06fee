using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Core;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class OrderListCommand : CliCommand
    {
        public OrderListCommand() : base("order list", "List orders.",
            new CliOption("connector", ""),
            new CliOption("status", "pending, issued, denied, failed, revoked, submitting, unknown"),
            CliOption.Flag("refresh", "poll the CA for pending orders"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var query = new OrderQuery { Connector = cl.Get("connector"), Status = cl.Enum<SubmitStatus>("status") };
            return run.Op(false, (ws, s) => new OrderOperations(ws, s).List(query, cl.Has("refresh")));
        }
    }
}
