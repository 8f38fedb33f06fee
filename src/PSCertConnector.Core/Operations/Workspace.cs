using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// Everything an operation needs: the home folder, the inventory, the secret protector and open
    /// connectors (kept open for the life of the workspace, one per name).
    /// </summary>
    public sealed class Workspace : IDisposable
    {
        private readonly Dictionary<string, ICaConnector> _open = new(StringComparer.OrdinalIgnoreCase);

        private Workspace(string home, ISecretProtector protector, InventoryStore store, ConnectorRegistry registry)
        {
            Home = home;
            Protector = protector;
            Store = store;
            Registry = registry;
            Events = Core.Events.EventLog.ForHome(home);
        }

        /// <summary>This host's event log (the home's logs folder), written by every operation whatever store it uses.</summary>
        public Core.Events.EventLog Events { get; }

        public string Home { get; }
        /// <summary>
        /// The folder relative paths the user gives are relative to: the process's current folder for the CLI, the current
        /// FileSystem location for PowerShell (which does not move the process's).
        /// </summary>
        public string WorkingFolder { get; set; } = Environment.CurrentDirectory;

        /// <summary>A path the user gave, made absolute against <see cref="WorkingFolder"/>.</summary>
        public string FullPath(string path) => Path.GetFullPath(Path.Combine(WorkingFolder, path));
        public ISecretProtector Protector { get; }
        public InventoryStore Store { get; }
        /// <summary>What chose the inventory: the home's SQLite file by default, or a shared store.</summary>
        public StoreSettings StoreSettings { get; private init; } = StoreSettings.HomeDefault;
        public ConnectorRegistry Registry { get; }
        /// <summary>Connectors whose service failed during this workspace's life (failover tries them last).</summary>
        internal HashSet<string> FailedServices { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <param name="home">The home folder; null resolves it from PSCERTCONNECTOR_HOME or the platform default.</param>
        /// <param name="store">Where the inventory lives; null resolves it from PSCERTCONNECTOR_STORE or the home's store.json.</param>
        /// <param name="anySchemaVersion">True only for the store commands: a shared store an older version made opens, to be shown and migrated.</param>
        public static Workspace Open(string? home = null, ConnectorRegistry? registry = null, StoreSettings? store = null, bool anySchemaVersion = false)
        {
            var folder = home ?? PscHome.Resolve();
            if (File.Exists(folder))
                throw new PscException("HomeUnusable", FailureCategory.InvalidArgument,
                    $"The home folder '{folder}' is a file, not a folder. Set {PscHome.EnvironmentVariable} to a folder.") { Target = folder };
            var scope = UseScope(folder);
            try { OwnerOnly.CreateFolder(folder); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new PscException("HomeUnusable", FailureCategory.WriteError, $"The home folder '{folder}' cannot be created: {ex.Message}", ex) { Target = folder };
            }
            var protector = SecretProtector.ForHome(folder, scope.Machine);
            var settings = store ?? StoreSettings.Resolve(folder);
            var inventory = InventoryStore.Open(folder, protector, settings, requireCurrentSchema: !anySchemaVersion);
            return new Workspace(folder, protector, inventory, registry ?? ConnectorRegistry.CreateDefault()) { StoreSettings = settings };
        }

        /// <summary>
        /// A workspace for commands that only read: a home without an inventory is not created (listings are empty and
        /// lookups say not found), so looking never leaves a folder or database behind.
        /// </summary>
        public static Workspace OpenForReading(string? home = null, ConnectorRegistry? registry = null)
        {
            var folder = home ?? PscHome.Resolve();
            if (InventoryStore.ExistsIn(folder)) return Open(folder, registry);
            var protector = SecretProtector.ForHome(folder, UseScope(folder).Machine);
            return new Workspace(folder, protector, InventoryStore.OpenEmpty(protector), registry ?? ConnectorRegistry.CreateDefault());
        }

        /// <summary>
        /// Makes a home ready, its inventory and secret key in place: the user's (where <see cref="PscHome"/> says, or
        /// <paramref name="path"/>), or the machine's, which needs an administrator (see <see cref="HomeScope.CreateMachineHome"/>).
        /// </summary>
        public static string CreateHome(bool machine, string? path, string? group)
        {
            var home = machine ? HomeScope.CreateMachineHome(path, group) : Path.GetFullPath(path ?? PscHome.Resolve());
            using (var workspace = Open(home)) workspace.Protector.Protect(new byte[1]); // the key file exists from now on
            return home;
        }

        /// <summary>A machine home's files are shared with its group from here on (see <see cref="HomeScope"/>).</summary>
        private static HomeScope UseScope(string folder)
        {
            var scope = Directory.Exists(folder) ? HomeScope.Of(folder) : HomeScope.User;
            if (scope.Machine) OwnerOnly.ShareWithGroup(folder, scope.Group == null ? null : OwnerOnly.GroupId(scope.Group));
            return scope;
        }

        public ConnectorDefinition RequireConnector(string name) =>
            Store.GetConnector(name) ?? throw new PscException("ConnectorNotFound", FailureCategory.ObjectNotFound,
                $"No connector is named '{name}'. List them with {UserText.Command("connector list", "Get-CaConnector")}.") { Target = name };

        /// <summary>
        /// The connector to send new work to: the one with this name, or, when the name is a domain that
        /// connectors serve, the one with the lowest priority number (failover then tries the others).
        /// </summary>
        public ConnectorDefinition RequireService(string nameOrDomain)
        {
            var named = Store.GetConnector(nameOrDomain);
            if (named != null) return named;
            return Store.ListConnectors()
                .Where(c => string.Equals(c.Domain, nameOrDomain, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.Priority).ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .FirstOrDefault() ?? RequireConnector(nameOrDomain);
        }

        /// <param name="creating">Only ConnectorOperations.Add passes true, when the connector is being created.</param>
        public ICaConnector Connect(ConnectorDefinition definition, bool creating = false)
        {
            if (_open.TryGetValue(definition.Name, out var open)) return open;
            var type = Registry.Get(definition.Type);
            var secrets = Store.GetConnectorSecrets(definition.Name) with { RequesterKey = KeptRequestKey };
            var connector = type.Open(definition, secrets, Home, Protector, creating);
            _open[definition.Name] = connector;
            return connector;
        }

        public ICaConnector Connect(string name) => Connect(RequireConnector(name));

        /// <summary>A request key kept in the inventory, for a transport that signs with it (SCEP); its plain PKCS#8 is cleared at once.</summary>
        internal Pkix.AsymmetricKey? KeptRequestKey(string keyId)
        {
            var material = Store.GetRequestKeyMaterial(keyId);
            if (material == null) return null;
            try { return Pkix.AsymmetricKey.ImportPkcs8(material); }
            finally { Array.Clear(material, 0, material.Length); }
        }

        /// <summary>Closes an open connector (after its definition changed or it was removed).</summary>
        public void Disconnect(string name)
        {
            if (_open.TryGetValue(name, out var open))
            {
                open.Dispose();
                _open.Remove(name);
            }
        }

        public void Dispose()
        {
            foreach (var connector in _open.Values) connector.Dispose();
            _open.Clear();
            Store.Dispose();
        }
    }
}
