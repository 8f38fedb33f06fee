using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class StoreMigrateCommand : CliCommand
    {
        public StoreMigrateCommand() : base("store migrate", "Bring the inventory's schema to this version's (a shared store is never migrated unasked: update every host first). --what-if shows the steps.") { }

        public override int Run(CommandLine cl, Invocation run) =>
            run.Op(false, (ws, s) => new StoreOperations(ws, s).Migrate(), single: true, anySchemaVersion: true);
    }
}
