using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class RevocationListCommand : CliCommand
    {
        public RevocationListCommand() : base("revocation list", "List the revocation queue: what was queued, what became of it, and when a failed attempt is tried again.",
            new CliOption("status", "queued, revoked or failed (default: all)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var status = cl.Enum<RevocationRequestStatus>("status");
            return run.Op(false, (ws, s) => new RevocationQueueOperations(ws, s).List(status));
        }
    }
}
