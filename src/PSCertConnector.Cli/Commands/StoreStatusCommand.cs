using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class StoreStatusCommand : CliCommand
    {
        public StoreStatusCommand() : base("store status", "Where the inventory lives (SQLite in the home, or a shared PostgreSQL store), its schema version, its secret key and the work hosts hold leases on.") { }

        public override int Run(CommandLine cl, Invocation run) =>
            run.Op(false, (ws, s) => new StoreOperations(ws, s).Status(), single: true, anySchemaVersion: true);
    }
}
