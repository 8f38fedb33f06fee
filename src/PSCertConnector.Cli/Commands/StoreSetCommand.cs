using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class StoreSetCommand : CliCommand
    {
        public StoreSetCommand() : base("store set", "Keep this home's inventory in a shared PostgreSQL store (saved in the home's store.json; PSCERTCONNECTOR_STORE overrides it), or back in the home's SQLite file (--sqlite).",
            new CliOption("connection", "Npgsql connection string without the password, e.g. 'Host=db01;Database=pscertconnector;Username=psc'"),
            new CliOption("password-file", "file holding the database password (or set PSCERTCONNECTOR_STORE_PASSWORD)"),
            new CliOption("key-file", "the shared key file every host holds (certconnector store new-key makes one)"),
            CliOption.Flag("sqlite", "use the home's own SQLite inventory again"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            if (cl.Has("sqlite"))
            {
                if (cl.Has("connection") || cl.Has("password-file") || cl.Has("key-file")) throw CommandLine.Usage("--sqlite takes no --connection, --password-file or --key-file.");
                return run.Op(false, (ws, s) => new StoreOperations(ws, s).UseHomeSqlite(), anySchemaVersion: true);
            }
            var connection = cl.Get("connection") ?? throw CommandLine.Usage("Give --connection CONNECTION-STRING, or --sqlite.");
            var settings = StoreSettings.ForHome(connection, cl.Get("password-file"), cl.Get("key-file"));
            return run.Op(false, (ws, s) => new StoreOperations(ws, s).Configure(settings), anySchemaVersion: true);
        }
    }
}
