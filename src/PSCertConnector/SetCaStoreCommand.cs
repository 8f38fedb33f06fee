using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Set, "CaStore", SupportsShouldProcess = true, DefaultParameterSetName = SharedSet)]
    [OutputType(typeof(StoreStatus))]
    public sealed class SetCaStoreCommand : PscCmdlet
    {
        private const string SharedSet = "PostgreSql";
        private const string HomeSet = "Sqlite";

        protected override bool AnySchemaVersion => true;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = SharedSet)]
        public string ConnectionString { get; set; } = "";

        [Parameter(ParameterSetName = SharedSet)]
        public string? PasswordFile { get; set; }

        [Parameter(ParameterSetName = SharedSet)]
        public string? KeyFile { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = HomeSet)]
        public SwitchParameter Sqlite { get; set; }

        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new StoreOperations(Workspace, Sink);
            if (Sqlite) operations.UseHomeSqlite();
            else operations.Configure(StoreSettings.ForHome(ConnectionString,
                PasswordFile == null ? null : Workspace.FullPath(PasswordFile), KeyFile == null ? null : Workspace.FullPath(KeyFile)));
            if (PassThru) WriteOutput(new StoreOperations(Workspace, Sink).CurrentStatus());
        });
    }
}
