using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Data.Common;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Store
{
    /// <summary>
    /// The inventory: connectors, template cache, orders, certificates, import runs and request keys in one
    /// SQLite file. Certificates are unique by (issuer, serial). Multi-row changes run in one transaction.
    /// </summary>
    public sealed partial class InventoryStore : IDisposable
    {
        public const string FileName = "inventory.db";

        private static readonly string[] Migrations =
        {
            @"CREATE TABLE connectors (
                id {Id},
                name TEXT NOT NULL UNIQUE {NoCase},
                type TEXT NOT NULL,
                domain TEXT,
                business_unit TEXT,
                tags TEXT NOT NULL DEFAULT '[]',
                priority INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
                import_enabled INTEGER NOT NULL DEFAULT 1,
                import_every INTEGER NOT NULL DEFAULT 15,
                import_every_unit TEXT NOT NULL DEFAULT 'Minutes',
                settings TEXT NOT NULL DEFAULT '{}',
                secret {Blob},
                import_watermark TEXT,
                last_import_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL);
              CREATE TABLE templates (
                connector_id {IdRef} NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
                name TEXT NOT NULL {NoCase},
                data TEXT NOT NULL,
                refreshed_at TEXT NOT NULL,
                PRIMARY KEY (connector_id, name));
              CREATE TABLE orders (
                id {Id},
                connector TEXT NOT NULL {NoCase},
                domain TEXT,
                request_id TEXT,
                common_name TEXT,
                template TEXT NOT NULL,
                status TEXT NOT NULL,
                disposition_message TEXT,
                hresult INTEGER NOT NULL DEFAULT 0,
                key_id TEXT,
                csr {Blob},
                certificate {Blob},
                chain {Blob},
                serial TEXT,
                thumbprint TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                fetched_at TEXT);
              CREATE UNIQUE INDEX ux_orders_request ON orders(connector, request_id) WHERE request_id IS NOT NULL;
              CREATE INDEX ix_orders_status ON orders(status);
              CREATE TABLE certificates (
                id {Id},
                connector TEXT NOT NULL {NoCase},
                issuer TEXT NOT NULL,
                issuer_key TEXT NOT NULL,
                serial TEXT NOT NULL,
                thumbprint_sha1 TEXT NOT NULL,
                thumbprint_sha256 TEXT NOT NULL,
                subject TEXT NOT NULL,
                common_name TEXT,
                sans TEXT NOT NULL DEFAULT '[]',
                not_before TEXT NOT NULL,
                not_after TEXT NOT NULL,
                template TEXT,
                business_unit TEXT,
                tags TEXT NOT NULL DEFAULT '[]',
                revoked_at TEXT,
                revocation_reason INTEGER,
                source TEXT NOT NULL,
                request_id TEXT,
                key_id TEXT,
                der {Blob} NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (issuer_key, serial));
              CREATE INDEX ix_certificates_serial ON certificates(serial);
              CREATE INDEX ix_certificates_sha1 ON certificates(thumbprint_sha1);
              CREATE INDEX ix_certificates_sha256 ON certificates(thumbprint_sha256);
              CREATE INDEX ix_certificates_not_after ON certificates(not_after);
              CREATE INDEX ix_certificates_connector ON certificates(connector);
              CREATE TABLE import_runs (
                id {Id},
                connector TEXT NOT NULL {NoCase},
                mode TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                start_watermark TEXT,
                end_watermark TEXT,
                imported INTEGER NOT NULL DEFAULT 0,
                updated INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL,
                error TEXT);
              CREATE TABLE request_keys (
                key_id TEXT PRIMARY KEY,
                subject TEXT NOT NULL,
                algorithm TEXT NOT NULL,
                key_size INTEGER NOT NULL,
                exportable INTEGER NOT NULL,
                machine_key_set INTEGER NOT NULL,
                friendly_name TEXT,
                protected_key {Blob} NOT NULL,
                created_at TEXT NOT NULL);",
            // 2: where CES said to poll a pending request.
            "ALTER TABLE orders ADD COLUMN reference_uri TEXT;",
            // 3: the enrollment endpoints a policy service listed, cached with the templates.
            @"CREATE TABLE enrollment_services (
                connector_id {IdRef} NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                data TEXT NOT NULL,
                refreshed_at TEXT NOT NULL,
                PRIMARY KEY (connector_id, position));",
            // 4: an order is recorded before the CA is contacted (status Submitting) with the id the CA keeps as a request
            //    attribute and the process that sends it; an import run names its process, so a killed one shows as interrupted.
            @"ALTER TABLE orders ADD COLUMN submission_id TEXT;
              ALTER TABLE orders ADD COLUMN submitted_by TEXT;
              ALTER TABLE import_runs ADD COLUMN runner TEXT;",
            // 5: properties of the store itself (which key protects a shared store's secrets), and the leases hosts take
            //    on units of work (a connector's due import, a pending order's poll) so that no two do the same one.
            @"CREATE TABLE store_properties (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL);
              CREATE TABLE work_leases (
                unit TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                acquired_at TEXT NOT NULL,
                expires_at TEXT NOT NULL);",
            // 6: renewal: the certificate (SHA-1 thumbprint) an order or a certificate renews; the successor is found through it.
            @"ALTER TABLE orders ADD COLUMN renews TEXT;
              ALTER TABLE certificates ADD COLUMN renews TEXT;
              CREATE INDEX ix_certificates_renews ON certificates(renews);
              CREATE INDEX ix_orders_renews ON orders(renews);",
            // 7: where a certificate was installed or exported, so that its successor goes to the same place.
            @"CREATE TABLE deployments (
                thumbprint TEXT NOT NULL,
                kind TEXT NOT NULL,
                target TEXT NOT NULL,
                format TEXT,
                includes_chain INTEGER NOT NULL DEFAULT 0,
                protection TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (thumbprint, kind, target));",
            // 8: every name of a certificate (subject, common name, SAN values), lowercased, and reversed, so that a name
            //    wildcard with a fixed start ('web*') or end ('*.fabrikam.com') is an index range instead of a scan of every row.
            //    Lowercasing and reversing are the engine's own (lower, reverse) for stored names and query patterns alike; the
            //    batch writer adds the names of the rows it inserts, in the same transaction.
            @"CREATE TABLE certificate_names (
                certificate_id {IdRef} NOT NULL,
                name TEXT NOT NULL {Binary},
                reversed TEXT NOT NULL {Binary});
              INSERT INTO certificate_names (certificate_id, name, reversed) " + NamesOfCertificates.Replace("{Where}", "").Replace("{And}", "WHERE") + @";
              CREATE INDEX ix_certificate_names_certificate ON certificate_names(certificate_id);
              CREATE INDEX ix_certificate_names_name ON certificate_names(name);
              CREATE INDEX ix_certificate_names_reversed ON certificate_names(reversed);",
            // 9: unattended work: when a pending order is asked about next (each unanswered poll waits longer), the
            //    notification rules, and what each rule has sent (one row per rule and subject: a threshold is sent once).
            @"ALTER TABLE orders ADD COLUMN next_poll_at TEXT;
              ALTER TABLE orders ADD COLUMN poll_attempts INTEGER NOT NULL DEFAULT 0;
              CREATE TABLE notification_rules (
                id {Id},
                name TEXT NOT NULL UNIQUE {NoCase},
                channel TEXT NOT NULL,
                target TEXT NOT NULL,
                triggers TEXT NOT NULL,
                connector TEXT {NoCase},
                digest INTEGER NOT NULL DEFAULT 0,
                settings TEXT NOT NULL DEFAULT '{}',
                secret {Blob},
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL);
              CREATE TABLE notifications_sent (
                rule_id {IdRef} NOT NULL REFERENCES notification_rules(id) ON DELETE CASCADE,
                subject TEXT NOT NULL,
                state TEXT NOT NULL,
                holder TEXT,
                expires_at TEXT,
                sent_at TEXT,
                PRIMARY KEY (rule_id, subject));",
            // 10: when a fetched renewal was finished (deployed like its predecessor, its command run); until then every
            //     maintenance pass tries again. Renewals fetched before this version count as finished.
            @"ALTER TABLE orders ADD COLUMN finished_at TEXT;
              UPDATE orders SET finished_at = fetched_at WHERE renews IS NOT NULL AND fetched_at IS NOT NULL;",
            // 11: the account of the proxy an HTTPS connector goes through, protected like the connector's own secret.
            @"ALTER TABLE connectors ADD COLUMN proxy_secret {Blob};",
            // 12: the revocation queue: requests accepted now and carried out by the maintenance pass, each with its outcome,
            //     so a CA that is down delays a revocation and loses none.
            @"CREATE TABLE revocation_requests (
                id {Id},
                certificate_id {IdRef} NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
                serial_number TEXT NOT NULL,
                connector TEXT NOT NULL {NoCase},
                subject TEXT NOT NULL,
                reason INTEGER NOT NULL,
                effective_at TEXT,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT,
                last_error TEXT,
                requested_by TEXT,
                requested_at TEXT NOT NULL,
                completed_at TEXT);
              CREATE INDEX ix_revocation_requests_due ON revocation_requests(status, next_attempt_at);
              CREATE UNIQUE INDEX ux_revocation_requests_queued ON revocation_requests(certificate_id) WHERE status = 'Queued';",
        };

        // The names of certificates (alias c) as (certificate id, name, reversed name); a WHERE on c may follow. A SAN equal
        // to the common name is left out (UNION ALL: removing other repeats costs a sort and changes no query's result).
        // Certificates are never deleted, so the table needs no cascade.
        internal const string NamesOfCertificates =
            @"SELECT id, v, reverse(v) FROM (
                SELECT id, lower(subject) AS v FROM certificates c {Where}
                UNION ALL SELECT id, lower(common_name) FROM certificates c {Where} {And} common_name IS NOT NULL
                UNION ALL SELECT c.id, lower(substr(value, {Instr}(value, '=') + 1)) FROM certificates c, {SanValues} {Where}
                  {And} (c.common_name IS NULL OR lower(substr(value, {Instr}(value, '=') + 1)) <> lower(c.common_name))) names";

        private const string What = "inventory database";
        private const string SecretKeyProperty = "secret_key_id";

        private readonly SqlDatabase _db;
        private readonly ISecretProtector _protector;
        // A shared store records which key protects its secrets, so a host with another key is told so instead of
        // writing secrets no other host can read. Null for the home's own SQLite inventory.
        private readonly bool _shared;
        private bool _sharedKeyChecked;
        private readonly CertificateBatchWriter _certificateWriter;

        /// <param name="shared">True for a store other hosts use too: its secrets are all under one key, which it records.</param>
        internal InventoryStore(SqlDatabase db, ISecretProtector protector, bool shared = false)
        {
            _db = db;
            _protector = protector;
            _shared = shared;
            _certificateWriter = new CertificateBatchWriter(db);
        }

        /// <summary>Where the inventory lives, safe to show: its file, or the PostgreSQL host, port and database.</summary>
        public string Location => _db.Location;

        /// <summary>"SQLite" or "PostgreSQL".</summary>
        public string Engine => _db.Engine;

        internal SqlDatabase Database => _db;

        /// <summary>The schema steps, the same for every engine (in the dialect's tokens).</summary>
        internal static IReadOnlyList<string> SchemaMigrations => Migrations;

        public static InventoryStore Open(string home, ISecretProtector homeProtector) => Open(home, homeProtector, StoreSettings.Resolve(home));

        /// <param name="homeProtector">Protects secrets in the home's own inventory, and a shared one's when no shared key file is set.</param>
        /// <param name="requireCurrentSchema">
        /// False only for the store commands, which show and apply migrations. A shared database is created on first use,
        /// but an existing one is migrated only when an administrator says so, as other hosts may still run an older version.
        /// </param>
        public static InventoryStore Open(string home, ISecretProtector homeProtector, StoreSettings settings, bool requireCurrentSchema = true)
        {
            if (!settings.IsShared)
            {
                var homeStore = new InventoryStore(SqliteDatabase.Open(System.IO.Path.Combine(home, FileName), What, Migrations), homeProtector);
                try { homeStore.EnsureCertificateLookupIndexes(); }
                catch { homeStore.Dispose(); throw; }
                return homeStore;
            }
            var db = SqlEngines.OpenPostgreSql(settings.ConnectionString!, settings.ReadPassword());
            try
            {
                int version = db.CheckVersion(Migrations, What);
                if (version == 0) db.Migrate(Migrations, What);
                else if (version < Migrations.Length && requireCurrentSchema)
                    throw new PscException("StoreNeedsMigration", FailureCategory.InvalidOperation,
                        $"The shared inventory ({settings.Describe()}) has schema version {version}; this version of PSCertConnector needs {Migrations.Length}. " +
                        $"Once every host runs this version, update it with {UserText.Command("store migrate", "Update-CaStoreSchema")}. Nothing was changed.")
                    { Target = settings.Describe() };
                var protector = settings.KeyFile != null ? new KeyFileSecretProtector(settings.KeyFile, createIfMissing: false) : homeProtector;
                return new InventoryStore(db, protector, shared: true);
            }
            catch
            {
                db.Dispose();
                throw;
            }
        }

        /// <summary>Brings the schema to this version's; returns the steps applied.</summary>
        public int Migrate() => _db.Migrate(Migrations, What);

        public int SchemaVersion => _db.SchemaVersion();

        public static int LatestSchemaVersion => Migrations.Length;

        /// <summary>True when the home's inventory is elsewhere or the home holds one (reading commands open nothing else).</summary>
        public static bool ExistsIn(string home) =>
            StoreSettings.Resolve(home).IsShared || System.IO.File.Exists(System.IO.Path.Combine(home, FileName));

        /// <summary>The key this host protects a shared store's secrets with, named without revealing it (read when asked: it may not exist yet).</summary>
        public string? SecretKeyId => _shared ? KeyIdOf(_protector) : null;

        /// <summary>True when the inventory is a shared store (PostgreSQL, or SQLite named by settings) rather than the home's own file.</summary>
        public bool IsShared => _shared;

        /// <summary>The key id a shared store records (null until a secret is stored).</summary>
        public string? RecordedSecretKeyId =>
            _db.Query("SELECT value FROM store_properties WHERE name = @n", r => r.GetString(0), ("@n", SecretKeyProperty)).FirstOrDefault();

        /// <summary>How a key is named in the store and in messages: "key-file:" and the file key's id, or the DPAPI account.</summary>
        public static string KeyIdOf(ISecretProtector protector) => protector is KeyFileSecretProtector file
            ? "key-file:" + file.KeyId
            : "dpapi:" + Environment.UserDomainName + "\\" + Environment.UserName + "@" + Environment.MachineName;

        /// <summary>A shared store's secrets are all under one key: the first secret stored records it; another key is refused.</summary>
        private void CheckSharedKey()
        {
            if (!_shared || _sharedKeyChecked) return;
            var hostKey = KeyIdOf(_protector);
            _db.Execute("INSERT INTO store_properties (name, value) VALUES (@n, @v) ON CONFLICT (name) DO NOTHING", ("@n", SecretKeyProperty), ("@v", hostKey));
            var recorded = RecordedSecretKeyId;
            if (!string.Equals(recorded, hostKey, StringComparison.Ordinal))
                throw new PscException("SecretKeyMismatch", FailureCategory.SecurityError,
                    $"The shared inventory's secrets are protected with the key {recorded}, but this host has {hostKey}. " +
                    $"Copy the store's key file to this host and point {StoreSettings.KeyFileVariable} (or the home's {StoreSettings.FileName}) at it.");
            _sharedKeyChecked = true;
        }

        private byte[] Protect(byte[] plain)
        {
            CheckSharedKey();
            return _protector.Protect(plain);
        }

        private byte[] Unprotect(byte[] data)
        {
            CheckSharedKey();
            return _protector.Unprotect(data);
        }

        /// <summary>
        /// Re-protects every secret of the store (connector and notification secrets, request keys) with a new key, in one transaction, and
        /// records it: afterwards hosts need the new key file. The old key's secrets are read first, so a wrong old key changes nothing.
        /// </summary>
        public int RotateSecretKey(ISecretProtector newProtector)
        {
            var newKeyId = KeyIdOf(newProtector);
            return _db.InTransaction(() =>
            {
                int count = 0;
                foreach (var column in new[] { "secret", "proxy_secret" })
                    foreach (var (name, secret) in _db.Query($"SELECT name, {column} FROM connectors WHERE {column} IS NOT NULL", r => (r.GetString(0), (byte[])r.GetValue(1))))
                    {
                        var plain = Unprotect(secret);
                        _db.Execute($"UPDATE connectors SET {column} = @s WHERE name = @n", ("@s", newProtector.Protect(plain)), ("@n", name));
                        Array.Clear(plain, 0, plain.Length);
                        count++;
                    }
                foreach (var (name, secret) in _db.Query("SELECT name, secret FROM notification_rules WHERE secret IS NOT NULL", r => (r.GetString(0), (byte[])r.GetValue(1))))
                {
                    var plain = Unprotect(secret);
                    _db.Execute("UPDATE notification_rules SET secret = @s WHERE name = @n", ("@s", newProtector.Protect(plain)), ("@n", name));
                    Array.Clear(plain, 0, plain.Length);
                    count++;
                }
                foreach (var (keyId, material) in _db.Query("SELECT key_id, protected_key FROM request_keys", r => (r.GetString(0), (byte[])r.GetValue(1))))
                {
                    var plain = Unprotect(material);
                    _db.Execute("UPDATE request_keys SET protected_key = @k WHERE key_id = @id", ("@k", newProtector.Protect(plain)), ("@id", keyId));
                    Array.Clear(plain, 0, plain.Length);
                    count++;
                }
                _db.Execute("DELETE FROM store_properties WHERE name = @n", ("@n", SecretKeyProperty));
                _db.Execute("INSERT INTO store_properties (name, value) VALUES (@n, @v)", ("@n", SecretKeyProperty), ("@v", newKeyId));
                return count;
            });
        }

        /// <summary>An empty inventory in memory, for reading a home that has none yet: listings are empty, lookups say not found.</summary>
        public static InventoryStore OpenEmpty(ISecretProtector protector) =>
            new InventoryStore(SqliteDatabase.OpenInMemory(What, Migrations), protector);

        public T InTransaction<T>(Func<T> work) => _db.InTransaction(work);

        // ---------------------------------------------------------------- connectors

        public ConnectorDefinition AddConnector(ConnectorDefinition definition, byte[]? secret, byte[]? proxySecret = null)
        {
            var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
            try
            {
                _db.Execute(@"INSERT INTO connectors (name, type, domain, business_unit, tags, priority, import_enabled, import_every, import_every_unit, settings, secret, proxy_secret, created_at, updated_at)
                              VALUES (@name, @type, @domain, @bu, @tags, @priority, @ie, @every, @unit, @settings, @secret, @proxy, @now, @now)",
                    ConnectorParameters(definition, secret, proxySecret, now));
            }
            catch (DbException ex) when (_db.IsUniqueViolation(ex))
            {
                throw new PscException("ConnectorExists", FailureCategory.ResourceExists,
                    $"A connector named '{definition.Name}' already exists. Choose another name or change it with {UserText.Command("connector set", "Set-CaConnector")}.") { Target = definition.Name };
            }
            return GetConnector(definition.Name)!;
        }

        /// <summary>Updates a connector; a rename carries its orders, certificates and import runs along.</summary>
        /// <param name="newSecret">The connector's new secret; null keeps the stored one.</param>
        /// <param name="newProxySecret">The new proxy account; null keeps the stored one.</param>
        /// <param name="clearProxySecret">Forget the stored proxy account.</param>
        public ConnectorDefinition UpdateConnector(ConnectorDefinition definition, byte[]? newSecret, byte[]? newProxySecret = null, bool clearProxySecret = false)
        {
            var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
            var parameters = ConnectorParameters(definition, newSecret, newProxySecret, now).ToList();
            parameters.Add(("@id", definition.Id));
            parameters.Add(("@clearProxy", clearProxySecret ? 1 : 0));
            return _db.InTransaction(() =>
            {
                var oldName = (string)_db.Scalar("SELECT name FROM connectors WHERE id = @id", ("@id", definition.Id))!;
                _db.Execute(@"UPDATE connectors SET name = @name, type = @type, domain = @domain, business_unit = @bu, tags = @tags, priority = @priority,
                              import_enabled = @ie, import_every = @every, import_every_unit = @unit, settings = @settings,
                              secret = COALESCE(@secret, secret), proxy_secret = CASE WHEN @clearProxy = 1 THEN NULL ELSE COALESCE(@proxy, proxy_secret) END,
                              updated_at = @now WHERE id = @id", parameters.ToArray());
                if (!string.Equals(oldName, definition.Name, StringComparison.Ordinal))
                    foreach (var table in new[] { "orders", "certificates", "import_runs" })
                        _db.Execute($"UPDATE {table} SET connector = @new WHERE connector = @old", ("@new", definition.Name), ("@old", oldName));
                return GetConnector(definition.Name)!;
            });
        }

        private (string, object?)[] ConnectorParameters(ConnectorDefinition d, byte[]? secret, byte[]? proxySecret, string now) => new (string, object?)[]
        {
            ("@name", d.Name), ("@type", d.Type), ("@domain", d.Domain), ("@bu", d.BusinessUnit),
            ("@tags", JsonSerializer.Serialize(d.Tags)), ("@priority", d.Priority), ("@ie", d.ImportEnabled ? 1 : 0),
            ("@every", d.ImportEvery), ("@unit", d.ImportEveryUnit.ToString()), ("@settings", JsonSerializer.Serialize(d.Settings)),
            ("@secret", secret == null ? null : Protect(secret)), ("@proxy", proxySecret == null ? null : Protect(proxySecret)), ("@now", now),
        };

        public bool RemoveConnector(string name) => _db.Execute("DELETE FROM connectors WHERE name = @n", ("@n", name)) > 0;

        // With the outcome of each connector's latest import run (shown on the connector with its next due time).
        private const string ConnectorColumns =
            "SELECT c.*, (SELECT r.status FROM import_runs r WHERE r.connector = c.name ORDER BY r.id DESC LIMIT 1) AS last_import_status FROM connectors c";

        public ConnectorDefinition? GetConnector(string name) =>
            _db.Query(ConnectorColumns + " WHERE c.name = @n", ReadConnector, ("@n", name)).FirstOrDefault();

        public IReadOnlyList<ConnectorDefinition> ListConnectors() =>
            _db.Query(ConnectorColumns + " ORDER BY c.priority, c.name", ReadConnector);

        /// <summary>The connector's secret in plain form, for the transport only; never logged or shown.</summary>
        public byte[]? GetConnectorSecret(string name)
        {
            var value = _db.Query("SELECT secret FROM connectors WHERE name = @n", r => r.BytesOrNull("secret"), ("@n", name)).FirstOrDefault();
            return value == null ? null : Unprotect(value);
        }

        /// <summary>The connector's secret and proxy account in plain form, for opening its transport only.</summary>
        public ConnectorSecrets GetConnectorSecrets(string name)
        {
            var row = _db.Query("SELECT secret, proxy_secret FROM connectors WHERE name = @n", r => (r.BytesOrNull("secret"), r.BytesOrNull("proxy_secret")), ("@n", name)).FirstOrDefault();
            return new ConnectorSecrets(row.Item1 == null ? null : Unprotect(row.Item1), row.Item2 == null ? null : Unprotect(row.Item2));
        }

        /// <summary>Moves the watermark; called in the transaction that stores the page it covers.</summary>
        public void SetImportWatermark(string connector, string? watermark) =>
            _db.Execute("UPDATE connectors SET import_watermark = @w WHERE name = @n", ("@w", watermark), ("@n", connector));

        /// <summary>Records a finished import: the connector is next due one import interval later.</summary>
        public void SetLastImport(string connector, DateTimeOffset at) =>
            _db.Execute("UPDATE connectors SET last_import_at = @t WHERE name = @n", ("@t", SqlDatabase.Time(at)), ("@n", connector));

        // ---------------------------------------------------------------- work leases

        /// <summary>
        /// Claims a unit of work (a connector's due import, say) for this process until the lease expires. The subject's
        /// row is locked with SKIP LOCKED on PostgreSQL, so hosts claiming at once pass over each other instead of
        /// waiting; a lease still held is left alone; and <paramref name="stillDue"/>, asked after the lease is taken
        /// and inside the same transaction, keeps a host from redoing work another finished a moment ago.
        /// </summary>
        /// <param name="subjectTable">"connectors", "orders" or "certificates": the table whose row <paramref name="subjectId"/> the unit is about.</param>
        public bool TryClaimWork(string unit, string subjectTable, long subjectId, TimeSpan duration, Func<bool> stillDue)
        {
            if (subjectTable is not ("connectors" or "orders" or "certificates")) throw new ArgumentException("Leases are on connectors, orders or certificates.", nameof(subjectTable));
            var now = DateTimeOffset.UtcNow;
            return _db.InTransaction(() =>
            {
                if (_db.Dialect.SkipLocked.Length > 0
                    && _db.Query($"SELECT id FROM {subjectTable} WHERE id = @id{_db.Dialect.SkipLocked}", r => 0, ("@id", subjectId)).Count == 0)
                    return false;
                int taken = _db.Execute(@"INSERT INTO work_leases (unit, holder, acquired_at, expires_at) VALUES (@u, @h, @now, @until)
                                          ON CONFLICT (unit) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
                                          WHERE work_leases.expires_at <= @now",
                    ("@u", unit), ("@h", ProcessIdentity.Current), ("@now", SqlDatabase.Time(now)), ("@until", SqlDatabase.Time(now + duration)));
                if (taken == 0) return false;
                if (stillDue()) return true;
                _db.Execute("DELETE FROM work_leases WHERE unit = @u AND holder = @h", ("@u", unit), ("@h", ProcessIdentity.Current));
                return false;
            });
        }

        /// <summary>Keeps a lease this process holds for another <paramref name="duration"/>; false when it expired and another host took it.</summary>
        public bool ExtendWork(string unit, TimeSpan duration) =>
            _db.Execute("UPDATE work_leases SET expires_at = @until WHERE unit = @u AND holder = @h",
                ("@until", SqlDatabase.Time(DateTimeOffset.UtcNow + duration)), ("@u", unit), ("@h", ProcessIdentity.Current)) == 1;

        public void ReleaseWork(string unit) =>
            _db.Execute("DELETE FROM work_leases WHERE unit = @u AND holder = @h", ("@u", unit), ("@h", ProcessIdentity.Current));

        /// <summary>The leases held now (expired ones excluded): what every host is doing.</summary>
        public IReadOnlyList<(string Unit, string Holder, DateTimeOffset ExpiresAt)> ListWork() =>
            _db.Query("SELECT unit, holder, expires_at FROM work_leases WHERE expires_at > @now ORDER BY unit",
                r => (r.GetString(0), r.GetString(1), SqlDatabase.ParseTime(r.GetString(2))), ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)));

        private static ConnectorDefinition ReadConnector(DbDataReader r) => new ConnectorDefinition
        {
            Id = r.GetInt64(r.GetOrdinal("id")),
            Name = r.GetString(r.GetOrdinal("name")),
            Type = r.GetString(r.GetOrdinal("type")),
            Domain = r.StringOrNull("domain"),
            BusinessUnit = r.StringOrNull("business_unit"),
            Tags = JsonSerializer.Deserialize<List<string>>(r.GetString(r.GetOrdinal("tags"))) ?? new List<string>(),
            Priority = r.GetInt32(r.GetOrdinal("priority")),
            ImportEnabled = r.GetInt32(r.GetOrdinal("import_enabled")) != 0,
            ImportEvery = r.GetInt32(r.GetOrdinal("import_every")),
            ImportEveryUnit = (ImportFrequencyUnit)Enum.Parse(typeof(ImportFrequencyUnit), r.GetString(r.GetOrdinal("import_every_unit"))),
            Settings = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(r.GetOrdinal("settings"))) ?? new Dictionary<string, string>(),
            HasSecret = !r.IsDBNull(r.GetOrdinal("secret")),
            HasProxyCredential = !r.IsDBNull(r.GetOrdinal("proxy_secret")),
            ImportWatermark = r.StringOrNull("import_watermark"),
            LastImportAt = r.TimeOrNull("last_import_at"),
            LastImportStatus = r.StringOrNull("last_import_status") is { } status ? (ImportRunStatus)Enum.Parse(typeof(ImportRunStatus), status) : null,
            CreatedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
            UpdatedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
        };

        // ---------------------------------------------------------------- templates

        public void ReplaceTemplates(ConnectorDefinition connector, IEnumerable<CaTemplate> templates, DateTimeOffset refreshedAt)
        {
            var list = templates.ToList();
            _db.InTransaction(() =>
            {
                _db.Execute("DELETE FROM templates WHERE connector_id = @id", ("@id", connector.Id));
                foreach (var t in list)
                    _db.Execute("INSERT INTO templates (connector_id, name, data, refreshed_at) VALUES (@id, @n, @d, @t)",
                        ("@id", connector.Id), ("@n", t.Name), ("@d", JsonSerializer.Serialize(t)), ("@t", SqlDatabase.Time(refreshedAt)));
                return 0;
            });
        }

        public IReadOnlyList<TemplateRecord> GetTemplates(ConnectorDefinition connector) =>
            _db.Query("SELECT name, data, refreshed_at FROM templates WHERE connector_id = @id ORDER BY name",
                r => new TemplateRecord
                {
                    Connector = connector.Name,
                    Template = JsonSerializer.Deserialize<CaTemplate>(r.GetString(1))!,
                    RefreshedAt = SqlDatabase.ParseTime(r.GetString(2)),
                }, ("@id", connector.Id));

        public void ReplaceEnrollmentServices(ConnectorDefinition connector, IEnumerable<EnrollmentService> services, DateTimeOffset refreshedAt)
        {
            var list = services.ToList();
            _db.InTransaction(() =>
            {
                _db.Execute("DELETE FROM enrollment_services WHERE connector_id = @id", ("@id", connector.Id));
                for (int i = 0; i < list.Count; i++)
                    _db.Execute("INSERT INTO enrollment_services (connector_id, position, data, refreshed_at) VALUES (@id, @p, @d, @t)",
                        ("@id", connector.Id), ("@p", i), ("@d", JsonSerializer.Serialize(list[i])), ("@t", SqlDatabase.Time(refreshedAt)));
                return 0;
            });
        }

        /// <summary>A connector's policy as one cached unit: its templates and its enrollment endpoints, replaced together.</summary>
        public void ReplacePolicy(ConnectorDefinition connector, IEnumerable<CaTemplate> templates, IEnumerable<EnrollmentService> services, DateTimeOffset refreshedAt) =>
            _db.InTransaction(() =>
            {
                ReplaceTemplates(connector, templates, refreshedAt);
                ReplaceEnrollmentServices(connector, services, refreshedAt);
                return 0;
            });

        public IReadOnlyList<EnrollmentServiceRecord> GetEnrollmentServices(ConnectorDefinition connector) =>
            _db.Query("SELECT data, refreshed_at FROM enrollment_services WHERE connector_id = @id ORDER BY position",
                r => new EnrollmentServiceRecord
                {
                    Connector = connector.Name,
                    Service = JsonSerializer.Deserialize<EnrollmentService>(r.GetString(0))!,
                    RefreshedAt = SqlDatabase.ParseTime(r.GetString(1)),
                }, ("@id", connector.Id));

        // ---------------------------------------------------------------- request keys

        public void SaveRequestKey(RequestKeyRecord record, byte[] pkcs8)
        {
            _db.Execute(@"INSERT INTO request_keys (key_id, subject, algorithm, key_size, exportable, machine_key_set, friendly_name, protected_key, created_at)
                          VALUES (@id, @s, @a, @size, @e, @m, @f, @k, @t) ON CONFLICT (key_id) DO NOTHING",
                ("@id", record.KeyId), ("@s", record.Subject), ("@a", record.Algorithm.ToString()), ("@size", record.KeySize),
                ("@e", record.Exportable ? 1 : 0), ("@m", record.MachineKeySet ? 1 : 0), ("@f", record.FriendlyName),
                ("@k", Protect(pkcs8)), ("@t", SqlDatabase.Time(record.CreatedAt)));
        }

        public RequestKeyRecord? GetRequestKey(string keyId) =>
            _db.Query("SELECT * FROM request_keys WHERE key_id = @id", r => new RequestKeyRecord
            {
                KeyId = r.GetString(r.GetOrdinal("key_id")),
                Subject = r.GetString(r.GetOrdinal("subject")),
                Algorithm = (KeyAlgorithm)Enum.Parse(typeof(KeyAlgorithm), r.GetString(r.GetOrdinal("algorithm"))),
                KeySize = r.GetInt32(r.GetOrdinal("key_size")),
                Exportable = r.GetInt32(r.GetOrdinal("exportable")) != 0,
                MachineKeySet = r.GetInt32(r.GetOrdinal("machine_key_set")) != 0,
                FriendlyName = r.StringOrNull("friendly_name"),
                CreatedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
            }, ("@id", keyId)).FirstOrDefault();

        /// <summary>The request's private key in PKCS#8; the caller disposes of it as soon as it is used.</summary>
        public byte[]? GetRequestKeyMaterial(string keyId)
        {
            var value = _db.Query("SELECT protected_key FROM request_keys WHERE key_id = @id", r => (byte[])r.GetValue(0), ("@id", keyId)).FirstOrDefault();
            return value == null ? null : Unprotect(value);
        }

        /// <summary>Forgets a request's key (a PFX delivered without archival): nothing can export it again.</summary>
        public void RemoveRequestKey(string keyId) => _db.Execute("DELETE FROM request_keys WHERE key_id = @id", ("@id", keyId));

        // ---------------------------------------------------------------- orders

        public OrderRecord AddOrder(OrderRecord order)
        {
            var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
            long id = Convert.ToInt64(_db.Scalar(@"INSERT INTO orders (connector, domain, request_id, common_name, template, status, disposition_message, hresult, key_id, csr,
                          certificate, chain, serial, thumbprint, reference_uri, submission_id, submitted_by, created_at, updated_at)
                          VALUES (@c, @d, @r, @cn, @t, @s, @m, @h, @k, @csr, @cert, @chain, @serial, @tp, @ref, @sub, @by, @now, @now) RETURNING id",
                ("@c", order.Connector), ("@d", order.Domain), ("@r", order.RequestId), ("@cn", order.CommonName), ("@t", order.Template),
                ("@s", order.Status.ToString()), ("@m", order.DispositionMessage), ("@h", order.HResult), ("@k", order.KeyId), ("@csr", order.Csr),
                ("@cert", order.Certificate), ("@chain", PackChain(order.Chain)), ("@serial", order.SerialNumber), ("@tp", order.Thumbprint), ("@ref", order.ReferenceUri),
                ("@sub", order.SubmissionId), ("@by", order.SubmittedBy), ("@now", now)), System.Globalization.CultureInfo.InvariantCulture);
            return GetOrder(id)!;
        }

        public OrderRecord UpdateOrder(OrderRecord order)
        {
            // Connector and request id change when a submitting order gets its answer (from a failover service, perhaps).
            _db.Execute(@"UPDATE orders SET connector = @c, domain = @d, request_id = @r, status = @s, disposition_message = @m, hresult = @h, certificate = @cert, chain = @chain,
                          serial = @serial, thumbprint = @tp, fetched_at = @f, reference_uri = @ref, updated_at = @now WHERE id = @id",
                ("@c", order.Connector), ("@d", order.Domain), ("@r", order.RequestId), ("@s", order.Status.ToString()), ("@m", order.DispositionMessage), ("@h", order.HResult), ("@cert", order.Certificate),
                ("@chain", PackChain(order.Chain)), ("@serial", order.SerialNumber), ("@tp", order.Thumbprint),
                ("@f", SqlDatabase.Time(order.FetchedAt)), ("@ref", order.ReferenceUri), ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)), ("@id", order.Id));
            return GetOrder(order.Id)!;
        }

        public bool RemoveOrder(long id) => _db.Execute("DELETE FROM orders WHERE id = @id", ("@id", id)) > 0;

        public OrderRecord? GetOrder(long id) => QueryOrders(new OrderQuery { Id = id }).FirstOrDefault();

        public IReadOnlyList<OrderRecord> QueryOrders(OrderQuery query)
        {
            var where = new List<string>();
            var parameters = new List<(string, object?)>();
            if (query.Id.HasValue) { where.Add("id = @id"); parameters.Add(("@id", query.Id.Value)); }
            if (query.Connector != null) { where.Add("connector = @c"); parameters.Add(("@c", query.Connector)); }
            if (query.Status.HasValue) { where.Add("status = @s"); parameters.Add(("@s", query.Status.Value.ToString())); }
            if (query.RequestId != null) { where.Add("request_id = @r"); parameters.Add(("@r", query.RequestId)); }
            if (query.Csr != null) { where.Add("csr = @csr"); parameters.Add(("@csr", query.Csr)); }
            var sql = "SELECT * FROM orders" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY id";
            return _db.Query(sql, ReadOrder, parameters.ToArray());
        }

        private static OrderRecord ReadOrder(DbDataReader r) => new OrderRecord
        {
            Id = r.GetInt64(r.GetOrdinal("id")),
            Connector = r.GetString(r.GetOrdinal("connector")),
            Domain = r.StringOrNull("domain"),
            RequestId = r.StringOrNull("request_id"),
            CommonName = r.StringOrNull("common_name"),
            Template = r.GetString(r.GetOrdinal("template")),
            Status = (SubmitStatus)Enum.Parse(typeof(SubmitStatus), r.GetString(r.GetOrdinal("status"))),
            DispositionMessage = r.StringOrNull("disposition_message"),
            HResult = r.GetInt32(r.GetOrdinal("hresult")),
            KeyId = r.StringOrNull("key_id"),
            Csr = r.BytesOrNull("csr"),
            Certificate = r.BytesOrNull("certificate"),
            Chain = UnpackChain(r.BytesOrNull("chain")),
            SerialNumber = r.StringOrNull("serial"),
            Thumbprint = r.StringOrNull("thumbprint"),
            CreatedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
            UpdatedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
            FetchedAt = r.TimeOrNull("fetched_at"),
            ReferenceUri = r.StringOrNull("reference_uri"),
            SubmissionId = r.StringOrNull("submission_id"),
            SubmittedBy = r.StringOrNull("submitted_by"),
            Renews = r.StringOrNull("renews"),
            NextPollAt = r.TimeOrNull("next_poll_at"),
            PollAttempts = r.GetInt32(r.GetOrdinal("poll_attempts")),
            FinishedAt = r.TimeOrNull("finished_at"),
        };

        // The chain is kept as concatenated DER certificates (each is a self-delimiting SEQUENCE).
        private static byte[]? PackChain(IReadOnlyList<byte[]> chain) =>
            chain.Count == 0 ? null : chain.SelectMany(c => c).ToArray();

        private static IReadOnlyList<byte[]> UnpackChain(byte[]? packed)
        {
            var result = new List<byte[]>();
            if (packed == null) return result;
            int offset = 0;
            while (offset < packed.Length)
            {
                int length = DerLength(packed, offset);
                var one = new byte[length];
                Buffer.BlockCopy(packed, offset, one, 0, length);
                result.Add(one);
                offset += length;
            }
            return result;
        }

        private static int DerLength(byte[] data, int offset)
        {
            int first = data[offset + 1];
            if (first < 0x80) return 2 + first;
            int count = first & 0x7F, length = 0;
            for (int i = 0; i < count; i++) length = (length << 8) | data[offset + 2 + i];
            return 2 + count + length;
        }

        // ---------------------------------------------------------------- certificates

        /// <param name="InsertOnly">
        /// True when the caller does not know the CA's current state (fetching an order): an existing row keeps its
        /// revocation, business unit and tags. Imports pass false: the CA's state is the truth.
        /// </param>
        /// <param name="UpdateOnly">
        /// True for a certificate an import's selection leaves out: one already stored is refreshed as usual (its
        /// revocation follows the CA), one that is not is not added (Excluded).
        /// </param>
        public sealed record CertificateUpsert(
            byte[] Der, string Connector, CertificateSource Source, string? Template, string? RequestId,
            string? BusinessUnit, IReadOnlyList<string> Tags, DateTimeOffset? RevokedAt, RevocationReason? Reason, bool InsertOnly = false, bool UpdateOnly = false);

        /// <summary>Excluded: not stored, because the import's selection left it out and it was not stored before.</summary>
        public enum UpsertOutcome { Inserted, Updated, Unchanged, Excluded }

        /// <summary>What storing one certificate did, or why it was not read (an unreadable certificate is skipped, not stored).</summary>
        public sealed record UpsertResult(UpsertOutcome Outcome, PscException? Error);

        /// <summary>
        /// Inserts a certificate or refreshes the one with the same issuer and serial: revocation state always
        /// follows the CA; business unit is set when given; tags are merged.
        /// </summary>
        public UpsertOutcome UpsertCertificate(CertificateUpsert item)
        {
            var result = _db.InTransaction(() => _certificateWriter.Write(new[] { item }))[0];
            if (result.Error != null) throw result.Error;
            return result.Outcome;
        }

        /// <summary>
        /// <see cref="UpsertCertificate"/> for many certificates (an import page), in one transaction, with the same result
        /// as storing them one by one in order. A certificate that cannot be read is passed over with its error.
        /// </summary>
        public IReadOnlyList<UpsertResult> UpsertCertificates(IReadOnlyList<CertificateUpsert> items) =>
            _db.InTransaction(() => _certificateWriter.Write(items));

        /// <summary>Whether the inventory holds the certificate with this issuer and serial.</summary>
        public bool HoldsCertificate(string issuerKey, string serialNumber) =>
            _db.Scalar("SELECT 1 FROM certificates WHERE issuer_key = @ik AND serial = @s", ("@ik", issuerKey), ("@s", serialNumber)) != null;

        /// <summary>
        /// Drops the serial and thumbprint indexes of the home's own inventory for a bulk import, which builds them again at
        /// its end with <see cref="EnsureCertificateLookupIndexes"/> (lookups by serial or thumbprint scan the table meanwhile).
        /// A shared store keeps them, as other hosts query it during the import; returns whether they were dropped.
        /// </summary>
        public bool DropCertificateLookupIndexes()
        {
            if (_shared) return false;
            _certificateWriter.DropLookupIndexes();
            return true;
        }

        /// <summary>Builds the serial and thumbprint indexes of the home's inventory that are missing (after a bulk import, or one that was killed); returns how many.</summary>
        public int EnsureCertificateLookupIndexes() => _shared ? 0 : _certificateWriter.EnsureLookupIndexes();

        public void SetRevocation(long certificateId, DateTimeOffset? revokedAt, RevocationReason? reason) =>
            _db.Execute("UPDATE certificates SET revoked_at = @ra, revocation_reason = @rr, updated_at = @now WHERE id = @id",
                ("@ra", SqlDatabase.Time(revokedAt)), ("@rr", reason.HasValue ? (int?)reason.Value : null),
                ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)), ("@id", certificateId));

        public int CountCertificates() => Convert.ToInt32(_db.Scalar("SELECT COUNT(*) FROM certificates"));

        public IReadOnlyList<CertificateRecord> QueryCertificates(CertificateQuery query, DateTimeOffset? asOf = null)
        {
            var now = asOf ?? DateTimeOffset.UtcNow;
            var nowText = SqlDatabase.Time(now);
            var d = _db.Dialect;
            var where = new List<string>();
            var p = new List<(string, object?)>();
            if (query.Connector != null) { where.Add("connector = @c"); p.Add(("@c", query.Connector)); }
            if (query.SerialNumber != null) { where.Add("serial = @serial"); p.Add(("@serial", Hex.NormalizeSerial(query.SerialNumber))); }
            if (query.Thumbprint != null)
            {
                where.Add("(thumbprint_sha1 = @tp OR thumbprint_sha256 = @tp)");
                p.Add(("@tp", Hex.NormalizeThumbprint(query.Thumbprint)));
            }
            if (query.Template != null) { where.Add(d.EqualsIgnoringCase("template", "@tpl")); p.Add(("@tpl", query.Template)); }
            if (query.BusinessUnit != null) { where.Add(d.EqualsIgnoringCase("business_unit", "@bu")); p.Add(("@bu", query.BusinessUnit)); }
            if (query.Tag != null)
            {
                where.Add($"EXISTS (SELECT 1 FROM {d.JsonValues("c.tags")} WHERE {d.EqualsIgnoringCase("value", "@tag")})");
                p.Add(("@tag", query.Tag));
            }
            if (query.Name != null)
            {
                where.Add(NameCondition(query.Name, query.Limit, p));
            }
            p.Add(("@now", nowText));
            switch (query.Status)
            {
                case CertificateStatus.Revoked: where.Add("revoked_at IS NOT NULL AND revoked_at <= @now"); break;
                case CertificateStatus.Expired: where.Add("(revoked_at IS NULL OR revoked_at > @now) AND not_after <= @now"); break;
                case CertificateStatus.Valid: where.Add(ValidNow); break;
            }
            if (query.NeedsRenewal) where.Add(RenewalCandidateCondition);
            if (query.ExpiringWithinDays.HasValue)
            {
                where.Add("not_after > @now AND not_after <= @until AND (revoked_at IS NULL OR revoked_at > @now)");
                p.Add(("@until", SqlDatabase.Time(now.AddDays(query.ExpiringWithinDays.Value))));
            }
            var sql = "SELECT c.*, (SELECT 1 FROM request_keys k WHERE k.key_id = c.key_id) AS has_key, " + RenewedBySelect + " FROM certificates c"
                      + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY not_after, id"
                      + (query.Limit.HasValue ? " LIMIT " + query.Limit.Value : "");
            return _db.Query(sql, ReadCertificate, p.ToArray());
        }

        // Sorts after every name that starts with a given text: the greatest code point (U+10FFFF), compared by bytes.
        private const string AfterEveryContinuation = "\U0010FFFF";

        /// <summary>
        /// The name wildcard as a condition on the certificate's names (subject, common name, SAN values). A fixed start
        /// ('web*') is a range of the name index and a fixed end ('*.fabrikam.com') a range of the reversed-name index;
        /// the LIKE match then checks the rest. A pattern with wildcards at both ends reads every name.
        /// </summary>
        private string NameCondition(string pattern, int? limit, List<(string, object?)> p)
        {
            var d = _db.Dialect;
            p.Add(("@name", WildcardToLike(pattern)));
            string match = $"n.name {d.Like} @name ESCAPE '\\'";
            int first = pattern.IndexOfAny(new[] { '*', '?' });
            int last = pattern.LastIndexOfAny(new[] { '*', '?' });
            string range;
            if (first != 0)
            {
                p.Add(("@anchor", first < 0 ? pattern : pattern.Substring(0, first)));
                range = "n.name >= lower(@anchor) AND n.name < lower(@anchor) || @after";
            }
            else if (last != pattern.Length - 1)
            {
                p.Add(("@anchor", pattern.Substring(last + 1)));
                range = "n.reversed >= reverse(lower(@anchor)) AND n.reversed < reverse(lower(@anchor)) || @after";
            }
            else return $"EXISTS (SELECT 1 FROM certificate_names n WHERE n.certificate_id = c.id AND {match})";
            p.Add(("@after", AfterEveryContinuation));

            // With a limit and a range that holds many names ('*.contoso.com' on a CA of one domain), reading certificates in
            // result order and checking each finds the first ones at once; otherwise (and always without a limit) reading the
            // range first is the quick way, as SQLite would otherwise gather every match before ordering.
            const int ManyNames = 10_000;
            bool manyMatch = limit.HasValue && Convert.ToInt64(_db.Scalar(
                $"SELECT COUNT(*) FROM (SELECT 1 FROM certificate_names n WHERE {range} LIMIT {ManyNames}) r", p.Where(x => x.Item1 is "@anchor" or "@after").ToArray()), System.Globalization.CultureInfo.InvariantCulture) >= ManyNames;
            return manyMatch
                ? $"EXISTS (SELECT 1 FROM certificate_names n WHERE n.certificate_id = c.id AND {range} AND {match})"
                : $"c.id IN (SELECT n.certificate_id FROM certificate_names n WHERE {range} AND {match})";
        }

        private static string WildcardToLike(string pattern)
        {
            var sb = new StringBuilder();
            foreach (var ch in pattern)
            {
                if (ch == '*') sb.Append('%');
                else if (ch == '?') sb.Append('_');
                else if (ch is '%' or '_' or '\\') sb.Append('\\').Append(ch);
                else sb.Append(ch);
            }
            // A bare word matches exactly (case-insensitively), as PowerShell's -like does: 'c1' must never also find c10 to
            // c19 when the result is piped into a revocation. Wildcards match only where the user wrote them.
            return sb.ToString();
        }

        private static CertificateRecord ReadCertificate(DbDataReader r)
        {
            return new CertificateRecord
            {
                Id = r.GetInt64(r.GetOrdinal("id")),
                Connector = r.GetString(r.GetOrdinal("connector")),
                Issuer = r.GetString(r.GetOrdinal("issuer")),
                IssuerKey = r.GetString(r.GetOrdinal("issuer_key")),
                SerialNumber = r.GetString(r.GetOrdinal("serial")),
                Thumbprint = r.GetString(r.GetOrdinal("thumbprint_sha1")),
                ThumbprintSha256 = r.GetString(r.GetOrdinal("thumbprint_sha256")),
                Subject = r.GetString(r.GetOrdinal("subject")),
                CommonName = r.StringOrNull("common_name"),
                SubjectAlternativeNames = JsonSerializer.Deserialize<List<string>>(r.GetString(r.GetOrdinal("sans"))) ?? new List<string>(),
                NotBefore = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("not_before"))),
                NotAfter = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("not_after"))),
                Template = r.StringOrNull("template"),
                BusinessUnit = r.StringOrNull("business_unit"),
                Tags = JsonSerializer.Deserialize<List<string>>(r.GetString(r.GetOrdinal("tags"))) ?? new List<string>(),
                RevokedAt = r.TimeOrNull("revoked_at"),
                RevocationReason = r.IsDBNull(r.GetOrdinal("revocation_reason")) ? null : (RevocationReason)r.GetInt32(r.GetOrdinal("revocation_reason")),
                Source = (CertificateSource)Enum.Parse(typeof(CertificateSource), r.GetString(r.GetOrdinal("source"))),
                RequestId = r.StringOrNull("request_id"),
                KeyId = r.StringOrNull("key_id"),
                HasPrivateKey = !r.IsDBNull(r.GetOrdinal("has_key")),
                Der = (byte[])r.GetValue(r.GetOrdinal("der")),
                UpdatedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
                Renews = r.StringOrNull("renews"),
                RenewedBy = r.StringOrNull("renewed_by"),
            };
        }

        // ---------------------------------------------------------------- renewal links

        /// <summary>The newest certificate that renews c (a query's column renewed_by).</summary>
        private const string RenewedBySelect =
            "(SELECT s.thumbprint_sha1 FROM certificates s WHERE s.renews = c.thumbprint_sha1 ORDER BY s.id DESC LIMIT 1) AS renewed_by";

        /// <summary>Not revoked by @now and not expired at @now.</summary>
        private const string ValidNow = "(revoked_at IS NULL OR revoked_at > @now) AND not_after > @now";

        /// <summary>
        /// A certificate that may be due: valid now, with no successor in the inventory and no renewal order that is
        /// open or issued. The renewal policy (per connector and template) is applied by the caller.
        /// </summary>
        private const string RenewalCandidateCondition = ValidNow + @"
              AND NOT EXISTS (SELECT 1 FROM certificates s WHERE s.renews = c.thumbprint_sha1)
              AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.renews = c.thumbprint_sha1
                              AND o.status IN ('Submitting', 'Unknown', 'Pending', 'Issued', 'IssuedOutOfBand'))";

        /// <summary>The order that brought this certificate into the inventory, when one is kept.</summary>
        public OrderRecord? OrderOf(CertificateRecord certificate) =>
            QueryOrders(new OrderQuery { Connector = certificate.Connector, RequestId = certificate.RequestId })
                .FirstOrDefault(o => o.Thumbprint == certificate.Thumbprint);

        /// <summary>Marks an order as the renewal of the certificate with this SHA-1 thumbprint.</summary>
        public void SetOrderRenews(long orderId, string predecessorThumbprint) =>
            _db.Execute("UPDATE orders SET renews = @renews WHERE id = @id", ("@renews", predecessorThumbprint), ("@id", orderId));

        /// <summary>The newest renewal order of this certificate that is still open (Submitting, Unknown or Pending).</summary>
        public OrderRecord? OpenRenewalOrder(string predecessorThumbprint) =>
            _db.Query("SELECT * FROM orders WHERE renews = @renews AND (status IN ('Submitting', 'Unknown', 'Pending') OR (status IN ('Issued', 'IssuedOutOfBand') AND fetched_at IS NULL)) ORDER BY id DESC",
                ReadOrder, ("@renews", predecessorThumbprint)).FirstOrDefault();

        /// <summary>Records where a certificate was put; the same place again replaces what was recorded for it.</summary>
        public void RecordDeployment(DeploymentRecord deployment)
        {
            var key = new (string, object?)[] { ("@thumbprint", deployment.Thumbprint), ("@kind", deployment.Kind.ToString()), ("@target", deployment.Target) };
            _db.InTransaction(() =>
            {
                _db.Execute("DELETE FROM deployments WHERE thumbprint = @thumbprint AND kind = @kind AND target = @target", key);
                _db.Execute(@"INSERT INTO deployments (thumbprint, kind, target, format, includes_chain, protection, created_at)
                              VALUES (@thumbprint, @kind, @target, @format, @chain, @protection, @now)",
                    key.Concat(new (string, object?)[]
                    {
                        ("@format", deployment.Format), ("@chain", deployment.IncludesChain ? 1 : 0), ("@protection", deployment.Protection),
                        ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)),
                    }).ToArray());
                return 0;
            });
        }

        public IReadOnlyList<DeploymentRecord> GetDeployments(string thumbprint) =>
            _db.Query("SELECT thumbprint, kind, target, format, includes_chain, protection FROM deployments WHERE thumbprint = @thumbprint ORDER BY created_at, target",
                r => new DeploymentRecord
                {
                    Thumbprint = r.GetString(0),
                    Kind = (DeploymentKind)Enum.Parse(typeof(DeploymentKind), r.GetString(1)),
                    Target = r.GetString(2),
                    Format = r.StringOrNull("format"),
                    IncludesChain = r.GetInt32(4) != 0,
                    Protection = r.StringOrNull("protection"),
                }, ("@thumbprint", thumbprint));

        /// <summary>Links a successor certificate to its predecessor (both by SHA-1 thumbprint).</summary>
        public void LinkRenewal(string successorThumbprint, string predecessorThumbprint) =>
            _db.Execute("UPDATE certificates SET renews = @renews, updated_at = @now WHERE thumbprint_sha1 = @successor",
                ("@renews", predecessorThumbprint), ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)), ("@successor", successorThumbprint));

        /// <summary>
        /// Records a certificate as enrolled here (an order of ours brought it) when an import stored it first: it is
        /// then renewed on its own by the maintenance pass like any certificate requested here.
        /// </summary>
        public void MarkEnrolled(string thumbprint) =>
            _db.Execute("UPDATE certificates SET source = @enrolled, updated_at = @now WHERE thumbprint_sha1 = @t AND source <> @enrolled",
                ("@enrolled", CertificateSource.Enrolled.ToString()), ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)), ("@t", thumbprint));

        // ---------------------------------------------------------------- import runs

        public long StartImportRun(string connector, ImportMode mode, string? startWatermark)
        {
            return Convert.ToInt64(_db.Scalar("INSERT INTO import_runs (connector, mode, started_at, start_watermark, status, runner) VALUES (@c, @m, @t, @w, 'Running', @by) RETURNING id",
                ("@c", connector), ("@m", mode.ToString()), ("@t", SqlDatabase.Time(DateTimeOffset.UtcNow)), ("@w", startWatermark), ("@by", ProcessIdentity.Current)), System.Globalization.CultureInfo.InvariantCulture);
        }

        public void UpdateImportRun(long id, string? watermark, int imported, int updated) =>
            _db.Execute("UPDATE import_runs SET end_watermark = @w, imported = @i, updated = @u WHERE id = @id",
                ("@w", watermark), ("@i", imported), ("@u", updated), ("@id", id));

        public void FinishImportRun(long id, ImportRunStatus status, string? error) =>
            _db.Execute("UPDATE import_runs SET status = @s, error = @e, finished_at = @t WHERE id = @id",
                ("@s", status.ToString()), ("@e", error), ("@t", SqlDatabase.Time(DateTimeOffset.UtcNow)), ("@id", id));

        /// <summary>The import runs; a run still marked Running whose process is gone is reported as Interrupted.</summary>
        public IReadOnlyList<ImportRunRecord> ListImportRuns(string? connector = null) =>
            _db.Query("SELECT * FROM import_runs" + (connector != null ? " WHERE connector = @c" : "") + " ORDER BY id", ReadImportRun,
                connector != null ? new[] { ("@c", (object?)connector) } : Array.Empty<(string, object?)>());

        private static ImportRunRecord ReadImportRun(DbDataReader r)
        {
            var run = new ImportRunRecord
                {
                    Id = r.GetInt64(r.GetOrdinal("id")),
                    Connector = r.GetString(r.GetOrdinal("connector")),
                    Mode = (ImportMode)Enum.Parse(typeof(ImportMode), r.GetString(r.GetOrdinal("mode"))),
                    StartedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("started_at"))),
                    FinishedAt = r.TimeOrNull("finished_at"),
                    StartWatermark = r.StringOrNull("start_watermark"),
                    EndWatermark = r.StringOrNull("end_watermark"),
                    Imported = r.GetInt32(r.GetOrdinal("imported")),
                    Updated = r.GetInt32(r.GetOrdinal("updated")),
                    Status = (ImportRunStatus)Enum.Parse(typeof(ImportRunStatus), r.GetString(r.GetOrdinal("status"))),
                    Error = r.StringOrNull("error"),
                };
            return run.Status == ImportRunStatus.Running && ProcessIdentity.IsGone(r.StringOrNull("runner"), run.StartedAt)
                ? run with
                {
                    Status = ImportRunStatus.Interrupted,
                    Error = "The process running this import stopped before it finished; what it stored is kept, and the next incremental import resumes from the stored watermark.",
                }
                : run;
        }

        public void Dispose() => _db.Dispose();
    }
}
