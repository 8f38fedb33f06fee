using System.IO;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// The inventory itself: where it lives, its schema version and migrations, and the shared key of a store several
    /// hosts use. The workspace is opened without requiring the current schema, so an old one can be shown and migrated.
    /// </summary>
    public sealed class StoreOperations : OperationBase
    {
        public StoreOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        public void Status() => Sink.WriteObject(CurrentStatus());

        public StoreStatus CurrentStatus()
        {
            var store = Workspace.Store;
            var settings = Workspace.StoreSettings;
            bool current = store.SchemaVersion == InventoryStore.LatestSchemaVersion;
            return new StoreStatus
            {
                Engine = store.Engine,
                Location = store.IsShared ? settings.Describe() : store.Location,
                Source = settings.Source,
                SchemaVersion = store.SchemaVersion,
                LatestSchemaVersion = InventoryStore.LatestSchemaVersion,
                StoreSecretKey = current ? store.RecordedSecretKeyId : null,
                HostSecretKey = store.SecretKeyId,
                KeyFile = settings.KeyFile,
                Connectors = current ? store.ListConnectors().Count : 0,
                Certificates = current ? store.CountCertificates() : 0,
                Orders = current ? store.QueryOrders(new OrderQuery()).Count : 0,
                ActiveLeases = current ? store.ListWork().Count : 0,
            };
        }

        /// <summary>Applies the migrations this version has and the store lacks (each step in its own transaction).</summary>
        public void Migrate()
        {
            var before = Workspace.Store.SchemaVersion;
            if (before == InventoryStore.LatestSchemaVersion)
            {
                Sink.WriteVerbose($"The inventory is at schema version {before}, the latest this version knows; nothing to do.");
            }
            else if (Sink.ShouldProcess($"{Workspace.Store.Location} (schema version {before} to {InventoryStore.LatestSchemaVersion})", "Migrate"))
            {
                int applied = Workspace.Store.Migrate();
                Sink.WriteVerbose($"{applied} migration step(s) applied.");
            }
            Status();
        }

        /// <summary>Points the home at a shared PostgreSQL store, after opening it once (creating its schema when the database is empty).</summary>
        public void Configure(StoreSettings settings)
        {
            if (!Sink.ShouldProcess($"home '{Workspace.Home}'", $"Keep the inventory in {settings.Describe()}")) return;
            using (InventoryStore.Open(Workspace.Home, Workspace.Protector, settings)) { }
            settings.SaveTo(Workspace.Home);
            Sink.WriteVerbose($"The home's {StoreSettings.FileName} now names {settings.Describe()}.");
        }

        /// <summary>Goes back to the home's own SQLite inventory (what the shared store holds stays there).</summary>
        public void UseHomeSqlite()
        {
            var file = Path.Combine(Workspace.Home, StoreSettings.FileName);
            if (!File.Exists(file)) return;
            if (Sink.ShouldProcess($"home '{Workspace.Home}'", "Keep the inventory in the home's SQLite file")) File.Delete(file);
        }

        /// <summary>Writes a new shared key (64 random bytes, readable only by its owner) to a file that does not exist yet, and returns the file.</summary>
        public void NewKey(string path)
        {
            var full = Workspace.FullPath(path);
            if (!Sink.ShouldProcess(full, "Create a shared secret key")) return;
            KeyFileSecretProtector.CreateKeyFile(full);
            Sink.WriteObject(new FileInfo(full));
            Sink.WriteVerbose($"Key {InventoryStore.KeyIdOf(new KeyFileSecretProtector(full, createIfMissing: false))} written to '{full}'. Copy it to each host with the same restricted permissions.");
        }

        /// <summary>Re-protects every secret of a shared store with the key in <paramref name="newKeyFile"/>, in one transaction; then shows the store.</summary>
        public void RotateKey(string newKeyFile)
        {
            if (!Workspace.Store.IsShared)
                throw new PscException("StoreNotShared", FailureCategory.InvalidOperation,
                    "The inventory is the home's own SQLite file, whose secrets are protected with this account's key; rotation is for a shared store's key.");
            var next = new KeyFileSecretProtector(Workspace.FullPath(newKeyFile), createIfMissing: false);
            if (!Sink.ShouldProcess(Workspace.Store.Location, $"Re-protect every secret with the key in '{next.KeyPath}'")) return;
            int count = Workspace.Store.RotateSecretKey(next);
            Sink.WriteWarning($"{count} secret(s) re-protected with key {InventoryStore.KeyIdOf(next)}. Point {StoreSettings.KeyFileVariable} (or the home's {StoreSettings.FileName}) at '{next.KeyPath}' on every host now; the old key no longer reads them.");
            Status();
        }
    }
}
