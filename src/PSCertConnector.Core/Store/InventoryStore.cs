using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Store
{
    /// <summary>
    /// The inventory: connectors, template cache, orders, certificates, import runs and request keys in one
    /// SQLite file. Certificates are unique by (issuer, serial). Multi-row changes run in one transaction.
    /// </summary>
    public sealed class InventoryStore : IDisposable
    {
        public const string FileName = "inventory.db";

        private static readonly string[] Migrations =
        {
            @"CREATE TABLE connectors (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                type TEXT NOT NULL,
                domain TEXT,
                business_unit TEXT,
                tags TEXT NOT NULL DEFAULT '[]',
                priority INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
                import_enabled INTEGER NOT NULL DEFAULT 1,
                import_every INTEGER NOT NULL DEFAULT 15,
                import_every_unit TEXT NOT NULL DEFAULT 'Minutes',
                settings TEXT NOT NULL DEFAULT '{}',
                secret BLOB,
                import_watermark TEXT,
                last_import_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL);
              CREATE TABLE templates (
                connector_id INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
                name TEXT NOT NULL COLLATE NOCASE,
                data TEXT NOT NULL,
                refreshed_at TEXT NOT NULL,
                PRIMARY KEY (connector_id, name));
              CREATE TABLE orders (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                connector TEXT NOT NULL COLLATE NOCASE,
                domain TEXT,
                request_id TEXT,
                common_name TEXT,
                template TEXT NOT NULL,
                status TEXT NOT NULL,
                disposition_message TEXT,
                hresult INTEGER NOT NULL DEFAULT 0,
                key_id TEXT,
                csr BLOB,
                certificate BLOB,
                chain BLOB,
                serial TEXT,
                thumbprint TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                fetched_at TEXT);
              CREATE UNIQUE INDEX ux_orders_request ON orders(connector, request_id) WHERE request_id IS NOT NULL;
              CREATE INDEX ix_orders_status ON orders(status);
              CREATE TABLE certificates (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                connector TEXT NOT NULL COLLATE NOCASE,
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
                der BLOB NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (issuer_key, serial));
              CREATE INDEX ix_certificates_serial ON certificates(serial);
              CREATE INDEX ix_certificates_sha1 ON certificates(thumbprint_sha1);
              CREATE INDEX ix_certificates_sha256 ON certificates(thumbprint_sha256);
              CREATE INDEX ix_certificates_not_after ON certificates(not_after);
              CREATE INDEX ix_certificates_connector ON certificates(connector);
              CREATE TABLE import_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                connector TEXT NOT NULL COLLATE NOCASE,
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
                protected_key BLOB NOT NULL,
                created_at TEXT NOT NULL);",
            // 2: where CES said to poll a pending request.
            "ALTER TABLE orders ADD COLUMN reference_uri TEXT;",
            // 3: the enrollment endpoints a policy service listed, cached with the templates.
            @"CREATE TABLE enrollment_services (
                connector_id INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                data TEXT NOT NULL,
                refreshed_at TEXT NOT NULL,
                PRIMARY KEY (connector_id, position));",
            // 4: an order is recorded before the CA is contacted (status Submitting) with the id the CA keeps as a request
            //    attribute and the process that sends it; an import run names its process, so a killed one shows as interrupted.
            @"ALTER TABLE orders ADD COLUMN submission_id TEXT;
              ALTER TABLE orders ADD COLUMN submitted_by TEXT;
              ALTER TABLE import_runs ADD COLUMN runner TEXT;",
            // 5: renewal: the certificate (SHA-1 thumbprint) an order or a certificate renews; the successor is found through it.
            @"ALTER TABLE orders ADD COLUMN renews TEXT;
              ALTER TABLE certificates ADD COLUMN renews TEXT;
              CREATE INDEX ix_certificates_renews ON certificates(renews);
              CREATE INDEX ix_orders_renews ON orders(renews);",
            // 6: where a certificate was installed or exported, so that its successor goes to the same place.
            @"CREATE TABLE deployments (
                thumbprint TEXT NOT NULL,
                kind TEXT NOT NULL,
                target TEXT NOT NULL,
                format TEXT,
                includes_chain INTEGER NOT NULL DEFAULT 0,
                protection TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (thumbprint, kind, target));",
        };

        private readonly SqliteDatabase _db;
        private readonly ISecretProtector _protector;

        private InventoryStore(SqliteDatabase db, ISecretProtector protector)
        {
            _db = db;
            _protector = protector;
        }

        public string Path => _db.Path;

        public static InventoryStore Open(string home, ISecretProtector protector) =>
            new InventoryStore(SqliteDatabase.Open(System.IO.Path.Combine(home, FileName), "inventory database", Migrations), protector);

        /// <summary>True when the home holds an inventory database (reading commands open nothing else).</summary>
        public static bool ExistsIn(string home) => System.IO.File.Exists(System.IO.Path.Combine(home, FileName));

        /// <summary>An empty inventory in memory, for reading a home that has none yet: listings are empty, lookups say not found.</summary>
        public static InventoryStore OpenEmpty(ISecretProtector protector) =>
            new InventoryStore(SqliteDatabase.OpenInMemory("inventory database", Migrations), protector);

        public T InTransaction<T>(Func<T> work) => _db.InTransaction(work);

        // ---------------------------------------------------------------- connectors

        public ConnectorDefinition AddConnector(ConnectorDefinition definition, byte[]? secret)
        {
            var now = SqliteDatabase.Time(DateTimeOffset.UtcNow);
            try
            {
                _db.Execute(@"INSERT INTO connectors (name, type, domain, business_unit, tags, priority, import_enabled, import_every, import_every_unit, settings, secret, created_at, updated_at)
                              VALUES ($name, $type, $domain, $bu, $tags, $priority, $ie, $every, $unit, $settings, $secret, $now, $now)",
                    ConnectorParameters(definition, secret, now));
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 19 && ex.Message.Contains("connectors.name"))
            {
                throw new PscException("ConnectorExists", FailureCategory.ResourceExists,
                    $"A connector named '{definition.Name}' already exists. Choose another name or change it with {UserText.Command("connector set", "Set-CaConnector")}.") { Target = definition.Name };
            }
            return GetConnector(definition.Name)!;
        }

        /// <summary>Updates a connector; a rename carries its orders, certificates and import runs along.</summary>
        public ConnectorDefinition UpdateConnector(ConnectorDefinition definition, byte[]? newSecret)
        {
            var now = SqliteDatabase.Time(DateTimeOffset.UtcNow);
            var parameters = ConnectorParameters(definition, newSecret, now).ToList();
            parameters.Add(("$id", definition.Id));
            return _db.InTransaction(() =>
            {
                var oldName = (string)_db.Scalar("SELECT name FROM connectors WHERE id = $id", ("$id", definition.Id))!;
                _db.Execute(@"UPDATE connectors SET name = $name, type = $type, domain = $domain, business_unit = $bu, tags = $tags, priority = $priority,
                              import_enabled = $ie, import_every = $every, import_every_unit = $unit, settings = $settings,
                              secret = COALESCE($secret, secret), updated_at = $now WHERE id = $id", parameters.ToArray());
                if (!string.Equals(oldName, definition.Name, StringComparison.Ordinal))
                    foreach (var table in new[] { "orders", "certificates", "import_runs" })
                        _db.Execute($"UPDATE {table} SET connector = $new WHERE connector = $old", ("$new", definition.Name), ("$old", oldName));
                return GetConnector(definition.Name)!;
            });
        }

        private (string, object?)[] ConnectorParameters(ConnectorDefinition d, byte[]? secret, string now) => new (string, object?)[]
        {
            ("$name", d.Name), ("$type", d.Type), ("$domain", d.Domain), ("$bu", d.BusinessUnit),
            ("$tags", JsonSerializer.Serialize(d.Tags)), ("$priority", d.Priority), ("$ie", d.ImportEnabled ? 1 : 0),
            ("$every", d.ImportEvery), ("$unit", d.ImportEveryUnit.ToString()), ("$settings", JsonSerializer.Serialize(d.Settings)),
            ("$secret", secret == null ? null : _protector.Protect(secret)), ("$now", now),
        };

        public bool RemoveConnector(string name) => _db.Execute("DELETE FROM connectors WHERE name = $n", ("$n", name)) > 0;

        public ConnectorDefinition? GetConnector(string name) =>
            _db.Query("SELECT * FROM connectors WHERE name = $n", ReadConnector, ("$n", name)).FirstOrDefault();

        public IReadOnlyList<ConnectorDefinition> ListConnectors() =>
            _db.Query("SELECT * FROM connectors ORDER BY priority, name", ReadConnector);

        /// <summary>The connector's secret in plain form, for the transport only; never logged or shown.</summary>
        public byte[]? GetConnectorSecret(string name)
        {
            var value = _db.Query("SELECT secret FROM connectors WHERE name = $n", r => r.BytesOrNull("secret"), ("$n", name)).FirstOrDefault();
            return value == null ? null : _protector.Unprotect(value);
        }

        public void SetImportWatermark(string connector, string? watermark, DateTimeOffset at) =>
            _db.Execute("UPDATE connectors SET import_watermark = $w, last_import_at = $t WHERE name = $n",
                ("$w", watermark), ("$t", SqliteDatabase.Time(at)), ("$n", connector));

        private static ConnectorDefinition ReadConnector(SqliteDataReader r) => new ConnectorDefinition
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
            ImportWatermark = r.StringOrNull("import_watermark"),
            LastImportAt = r.TimeOrNull("last_import_at"),
            CreatedAt = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
            UpdatedAt = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
        };

        // ---------------------------------------------------------------- templates

        public void ReplaceTemplates(ConnectorDefinition connector, IEnumerable<CaTemplate> templates, DateTimeOffset refreshedAt)
        {
            var list = templates.ToList();
            _db.InTransaction(() =>
            {
                _db.Execute("DELETE FROM templates WHERE connector_id = $id", ("$id", connector.Id));
                foreach (var t in list)
                    _db.Execute("INSERT INTO templates (connector_id, name, data, refreshed_at) VALUES ($id, $n, $d, $t)",
                        ("$id", connector.Id), ("$n", t.Name), ("$d", JsonSerializer.Serialize(t)), ("$t", SqliteDatabase.Time(refreshedAt)));
                return 0;
            });
        }

        public IReadOnlyList<TemplateRecord> GetTemplates(ConnectorDefinition connector) =>
            _db.Query("SELECT name, data, refreshed_at FROM templates WHERE connector_id = $id ORDER BY name",
                r => new TemplateRecord
                {
                    Connector = connector.Name,
                    Template = JsonSerializer.Deserialize<CaTemplate>(r.GetString(1))!,
                    RefreshedAt = SqliteDatabase.ParseTime(r.GetString(2)),
                }, ("$id", connector.Id));

        public void ReplaceEnrollmentServices(ConnectorDefinition connector, IEnumerable<EnrollmentService> services, DateTimeOffset refreshedAt)
        {
            var list = services.ToList();
            _db.InTransaction(() =>
            {
                _db.Execute("DELETE FROM enrollment_services WHERE connector_id = $id", ("$id", connector.Id));
                for (int i = 0; i < list.Count; i++)
                    _db.Execute("INSERT INTO enrollment_services (connector_id, position, data, refreshed_at) VALUES ($id, $p, $d, $t)",
                        ("$id", connector.Id), ("$p", i), ("$d", JsonSerializer.Serialize(list[i])), ("$t", SqliteDatabase.Time(refreshedAt)));
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
            _db.Query("SELECT data, refreshed_at FROM enrollment_services WHERE connector_id = $id ORDER BY position",
                r => new EnrollmentServiceRecord
                {
                    Connector = connector.Name,
                    Service = JsonSerializer.Deserialize<EnrollmentService>(r.GetString(0))!,
                    RefreshedAt = SqliteDatabase.ParseTime(r.GetString(1)),
                }, ("$id", connector.Id));

        // ---------------------------------------------------------------- request keys

        public void SaveRequestKey(RequestKeyRecord record, byte[] pkcs8)
        {
            _db.Execute(@"INSERT OR IGNORE INTO request_keys (key_id, subject, algorithm, key_size, exportable, machine_key_set, friendly_name, protected_key, created_at)
                          VALUES ($id, $s, $a, $size, $e, $m, $f, $k, $t)",
                ("$id", record.KeyId), ("$s", record.Subject), ("$a", record.Algorithm.ToString()), ("$size", record.KeySize),
                ("$e", record.Exportable ? 1 : 0), ("$m", record.MachineKeySet ? 1 : 0), ("$f", record.FriendlyName),
                ("$k", _protector.Protect(pkcs8)), ("$t", SqliteDatabase.Time(record.CreatedAt)));
        }

        public RequestKeyRecord? GetRequestKey(string keyId) =>
            _db.Query("SELECT * FROM request_keys WHERE key_id = $id", r => new RequestKeyRecord
            {
                KeyId = r.GetString(r.GetOrdinal("key_id")),
                Subject = r.GetString(r.GetOrdinal("subject")),
                Algorithm = (KeyAlgorithm)Enum.Parse(typeof(KeyAlgorithm), r.GetString(r.GetOrdinal("algorithm"))),
                KeySize = r.GetInt32(r.GetOrdinal("key_size")),
                Exportable = r.GetInt32(r.GetOrdinal("exportable")) != 0,
                MachineKeySet = r.GetInt32(r.GetOrdinal("machine_key_set")) != 0,
                FriendlyName = r.StringOrNull("friendly_name"),
                CreatedAt = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
            }, ("$id", keyId)).FirstOrDefault();

        /// <summary>The request's private key in PKCS#8; the caller disposes of it as soon as it is used.</summary>
        public byte[]? GetRequestKeyMaterial(string keyId)
        {
            var value = _db.Query("SELECT protected_key FROM request_keys WHERE key_id = $id", r => (byte[])r.GetValue(0), ("$id", keyId)).FirstOrDefault();
            return value == null ? null : _protector.Unprotect(value);
        }

        // ---------------------------------------------------------------- orders

        public OrderRecord AddOrder(OrderRecord order)
        {
            var now = SqliteDatabase.Time(DateTimeOffset.UtcNow);
            _db.Execute(@"INSERT INTO orders (connector, domain, request_id, common_name, template, status, disposition_message, hresult, key_id, csr,
                          certificate, chain, serial, thumbprint, reference_uri, submission_id, submitted_by, created_at, updated_at)
                          VALUES ($c, $d, $r, $cn, $t, $s, $m, $h, $k, $csr, $cert, $chain, $serial, $tp, $ref, $sub, $by, $now, $now)",
                ("$c", order.Connector), ("$d", order.Domain), ("$r", order.RequestId), ("$cn", order.CommonName), ("$t", order.Template),
                ("$s", order.Status.ToString()), ("$m", order.DispositionMessage), ("$h", order.HResult), ("$k", order.KeyId), ("$csr", order.Csr),
                ("$cert", order.Certificate), ("$chain", PackChain(order.Chain)), ("$serial", order.SerialNumber), ("$tp", order.Thumbprint), ("$ref", order.ReferenceUri),
                ("$sub", order.SubmissionId), ("$by", order.SubmittedBy), ("$now", now));
            long id = (long)_db.Scalar("SELECT last_insert_rowid()")!;
            return GetOrder(id)!;
        }

        public OrderRecord UpdateOrder(OrderRecord order)
        {
            // Connector and request id change when a submitting order gets its answer (from a failover service, perhaps).
            _db.Execute(@"UPDATE orders SET connector = $c, domain = $d, request_id = $r, status = $s, disposition_message = $m, hresult = $h, certificate = $cert, chain = $chain,
                          serial = $serial, thumbprint = $tp, fetched_at = $f, reference_uri = $ref, updated_at = $now WHERE id = $id",
                ("$c", order.Connector), ("$d", order.Domain), ("$r", order.RequestId), ("$s", order.Status.ToString()), ("$m", order.DispositionMessage), ("$h", order.HResult), ("$cert", order.Certificate),
                ("$chain", PackChain(order.Chain)), ("$serial", order.SerialNumber), ("$tp", order.Thumbprint),
                ("$f", SqliteDatabase.Time(order.FetchedAt)), ("$ref", order.ReferenceUri), ("$now", SqliteDatabase.Time(DateTimeOffset.UtcNow)), ("$id", order.Id));
            return GetOrder(order.Id)!;
        }

        public bool RemoveOrder(long id) => _db.Execute("DELETE FROM orders WHERE id = $id", ("$id", id)) > 0;

        public OrderRecord? GetOrder(long id) => QueryOrders(new OrderQuery { Id = id }).FirstOrDefault();

        public IReadOnlyList<OrderRecord> QueryOrders(OrderQuery query)
        {
            var where = new List<string>();
            var parameters = new List<(string, object?)>();
            if (query.Id.HasValue) { where.Add("id = $id"); parameters.Add(("$id", query.Id.Value)); }
            if (query.Connector != null) { where.Add("connector = $c"); parameters.Add(("$c", query.Connector)); }
            if (query.Status.HasValue) { where.Add("status = $s"); parameters.Add(("$s", query.Status.Value.ToString())); }
            if (query.RequestId != null) { where.Add("request_id = $r"); parameters.Add(("$r", query.RequestId)); }
            if (query.Csr != null) { where.Add("csr = $csr"); parameters.Add(("$csr", query.Csr)); }
            var sql = "SELECT * FROM orders" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY id";
            return _db.Query(sql, ReadOrder, parameters.ToArray());
        }

        private static OrderRecord ReadOrder(SqliteDataReader r) => new OrderRecord
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
            CreatedAt = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
            UpdatedAt = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
            FetchedAt = r.TimeOrNull("fetched_at"),
            ReferenceUri = r.StringOrNull("reference_uri"),
            SubmissionId = r.StringOrNull("submission_id"),
            SubmittedBy = r.StringOrNull("submitted_by"),
            Renews = r.StringOrNull("renews"),
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
        public sealed record CertificateUpsert(
            byte[] Der, string Connector, CertificateSource Source, string? Template, string? RequestId,
            string? BusinessUnit, IReadOnlyList<string> Tags, DateTimeOffset? RevokedAt, RevocationReason? Reason, bool InsertOnly = false);

        public enum UpsertOutcome { Inserted, Updated, Unchanged }

        /// <summary>
        /// Inserts a certificate or refreshes the one with the same issuer and serial: revocation state always
        /// follows the CA; business unit is set when given; tags are merged.
        /// </summary>
        public UpsertOutcome UpsertCertificate(CertificateUpsert item)
        {
            var details = CertificateReader.Read(item.Der);
            var now = SqliteDatabase.Time(DateTimeOffset.UtcNow);
            var revokedAt = SqliteDatabase.Time(item.RevokedAt);
            int? reason = item.Reason.HasValue ? (int)item.Reason.Value : null;
            // One statement for the common case, a certificate not seen before; the key link is resolved in SQL.
            int inserted = _db.Execute(@"INSERT INTO certificates (connector, issuer, issuer_key, serial, thumbprint_sha1, thumbprint_sha256, subject, common_name, sans,
                              not_before, not_after, template, business_unit, tags, revoked_at, revocation_reason, source, request_id, key_id, der, created_at, updated_at)
                              VALUES ($c, $i, $ik, $s, $t1, $t2, $subj, $cn, $sans, $nb, $na, $tpl, $bu, $tags, $ra, $rr, $src, $rid,
                                      (SELECT key_id FROM request_keys WHERE key_id = $kid), $der, $now, $now)
                              ON CONFLICT (issuer_key, serial) DO NOTHING",
                ("$c", item.Connector), ("$i", details.Issuer), ("$ik", details.IssuerKey), ("$s", details.SerialNumber),
                ("$t1", details.ThumbprintSha1), ("$t2", details.ThumbprintSha256), ("$subj", details.Subject), ("$cn", details.CommonName),
                ("$sans", JsonSerializer.Serialize(details.SubjectAlternativeNames.Select(s => s.ToString()))),
                ("$nb", SqliteDatabase.Time(details.NotBefore)), ("$na", SqliteDatabase.Time(details.NotAfter)),
                ("$tpl", item.Template ?? details.Template), ("$bu", item.BusinessUnit), ("$tags", JsonSerializer.Serialize(item.Tags.Distinct(StringComparer.OrdinalIgnoreCase))),
                ("$ra", revokedAt), ("$rr", reason), ("$src", item.Source.ToString()), ("$rid", item.RequestId),
                ("$kid", details.PublicKeyId), ("$der", item.Der), ("$now", now));
            if (inserted == 1) return UpsertOutcome.Inserted;
            if (item.InsertOnly) return UpsertOutcome.Unchanged;

            var row = _db.Query("SELECT id, tags, business_unit, revoked_at, revocation_reason FROM certificates WHERE issuer_key = $ik AND serial = $s",
                r => (Id: r.GetInt64(0), Tags: r.GetString(1), Bu: r.StringOrNull("business_unit"), RevokedAt: r.StringOrNull("revoked_at"), Reason: r.LongOrNull("revocation_reason")),
                ("$ik", details.IssuerKey), ("$s", details.SerialNumber)).Single();
            var oldTags = JsonSerializer.Deserialize<List<string>>(row.Tags) ?? new List<string>();
            var tags = oldTags.Concat(item.Tags).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var businessUnit = item.BusinessUnit ?? row.Bu;
            bool changed = row.RevokedAt != revokedAt || row.Reason != reason || businessUnit != row.Bu || tags.Count != oldTags.Count;
            if (!changed) return UpsertOutcome.Unchanged;
            _db.Execute("UPDATE certificates SET revoked_at = $ra, revocation_reason = $rr, business_unit = $bu, tags = $tags, updated_at = $now WHERE id = $id",
                ("$ra", revokedAt), ("$rr", reason), ("$bu", businessUnit), ("$tags", JsonSerializer.Serialize(tags)), ("$now", now), ("$id", row.Id));
            return UpsertOutcome.Updated;
        }

        public void SetRevocation(long certificateId, DateTimeOffset? revokedAt, RevocationReason? reason) =>
            _db.Execute("UPDATE certificates SET revoked_at = $ra, revocation_reason = $rr, updated_at = $now WHERE id = $id",
                ("$ra", SqliteDatabase.Time(revokedAt)), ("$rr", reason.HasValue ? (int?)reason.Value : null),
                ("$now", SqliteDatabase.Time(DateTimeOffset.UtcNow)), ("$id", certificateId));

        public int CountCertificates() => Convert.ToInt32(_db.Scalar("SELECT COUNT(*) FROM certificates"));

        public IReadOnlyList<CertificateRecord> QueryCertificates(CertificateQuery query, DateTimeOffset? asOf = null)
        {
            var now = asOf ?? DateTimeOffset.UtcNow;
            var nowText = SqliteDatabase.Time(now);
            var where = new List<string>();
            var p = new List<(string, object?)>();
            if (query.Connector != null) { where.Add("connector = $c"); p.Add(("$c", query.Connector)); }
            if (query.SerialNumber != null) { where.Add("serial = $serial"); p.Add(("$serial", Hex.NormalizeSerial(query.SerialNumber))); }
            if (query.Thumbprint != null)
            {
                where.Add("(thumbprint_sha1 = $tp OR thumbprint_sha256 = $tp)");
                p.Add(("$tp", Hex.NormalizeThumbprint(query.Thumbprint)));
            }
            if (query.Template != null) { where.Add("template = $tpl COLLATE NOCASE"); p.Add(("$tpl", query.Template)); }
            if (query.BusinessUnit != null) { where.Add("business_unit = $bu COLLATE NOCASE"); p.Add(("$bu", query.BusinessUnit)); }
            if (query.Tag != null) { where.Add("EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = $tag COLLATE NOCASE)"); p.Add(("$tag", query.Tag)); }
            if (query.Name != null)
            {
                // SANs are stored as "dns=www.contoso.com": the pattern is matched against the part after '='.
                where.Add(@"(subject LIKE $name ESCAPE '\' OR common_name LIKE $name ESCAPE '\'
                             OR EXISTS (SELECT 1 FROM json_each(c.sans) WHERE substr(value, instr(value, '=') + 1) LIKE $name ESCAPE '\'))");
                p.Add(("$name", WildcardToLike(query.Name)));
            }
            p.Add(("$now", nowText));
            switch (query.Status)
            {
                case CertificateStatus.Revoked: where.Add("revoked_at IS NOT NULL AND revoked_at <= $now"); break;
                case CertificateStatus.Expired: where.Add("(revoked_at IS NULL OR revoked_at > $now) AND not_after <= $now"); break;
                case CertificateStatus.Valid: where.Add("(revoked_at IS NULL OR revoked_at > $now) AND not_after > $now"); break;
            }
            if (query.NeedsRenewal) where.Add(RenewalCandidateCondition);
            if (query.ExpiringWithinDays.HasValue)
            {
                where.Add("not_after > $now AND not_after <= $until AND (revoked_at IS NULL OR revoked_at > $now)");
                p.Add(("$until", SqliteDatabase.Time(now.AddDays(query.ExpiringWithinDays.Value))));
            }
            var sql = "SELECT c.*, (SELECT 1 FROM request_keys k WHERE k.key_id = c.key_id) AS has_key, " + RenewedBySelect + " FROM certificates c"
                      + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY not_after, id"
                      + (query.Limit.HasValue ? " LIMIT " + query.Limit.Value : "");
            return _db.Query(sql, ReadCertificate, p.ToArray());
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

        private static CertificateRecord ReadCertificate(SqliteDataReader r)
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
                NotBefore = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("not_before"))),
                NotAfter = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("not_after"))),
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
                UpdatedAt = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
                Renews = r.StringOrNull("renews"),
                RenewedBy = r.StringOrNull("renewed_by"),
            };
        }

        // ---------------------------------------------------------------- renewal links

        /// <summary>The newest certificate that renews c (a query's column renewed_by).</summary>
        private const string RenewedBySelect =
            "(SELECT s.thumbprint_sha1 FROM certificates s WHERE s.renews = c.thumbprint_sha1 ORDER BY s.id DESC LIMIT 1) AS renewed_by";

        /// <summary>
        /// A certificate that may be due: valid now, with no successor in the inventory and no renewal order that is
        /// open or issued. The renewal policy (per connector and template) is applied by the caller.
        /// </summary>
        private const string RenewalCandidateCondition =
            @"(revoked_at IS NULL OR revoked_at > $now) AND not_after > $now
              AND NOT EXISTS (SELECT 1 FROM certificates s WHERE s.renews = c.thumbprint_sha1)
              AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.renews = c.thumbprint_sha1
                              AND o.status IN ('Submitting', 'Unknown', 'Pending', 'Issued', 'IssuedOutOfBand'))";

        /// <summary>Marks an order as the renewal of the certificate with this SHA-1 thumbprint.</summary>
        public void SetOrderRenews(long orderId, string predecessorThumbprint) =>
            _db.Execute("UPDATE orders SET renews = @renews WHERE id = @id", ("@renews", predecessorThumbprint), ("@id", orderId));

        /// <summary>The newest renewal order of this certificate that is still open (Submitting, Unknown or Pending).</summary>
        public OrderRecord? OpenRenewalOrder(string predecessorThumbprint) =>
            _db.Query("SELECT * FROM orders WHERE renews = @renews AND status IN ('Submitting', 'Unknown', 'Pending') ORDER BY id DESC",
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
                        ("@now", SqliteDatabase.Time(DateTimeOffset.UtcNow)),
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
                ("@renews", predecessorThumbprint), ("@now", SqliteDatabase.Time(DateTimeOffset.UtcNow)), ("@successor", successorThumbprint));

        // ---------------------------------------------------------------- import runs

        public long StartImportRun(string connector, ImportMode mode, string? startWatermark)
        {
            _db.Execute("INSERT INTO import_runs (connector, mode, started_at, start_watermark, status, runner) VALUES ($c, $m, $t, $w, 'Running', $by)",
                ("$c", connector), ("$m", mode.ToString()), ("$t", SqliteDatabase.Time(DateTimeOffset.UtcNow)), ("$w", startWatermark), ("$by", ProcessIdentity.Current));
            return (long)_db.Scalar("SELECT last_insert_rowid()")!;
        }

        public void UpdateImportRun(long id, string? watermark, int imported, int updated) =>
            _db.Execute("UPDATE import_runs SET end_watermark = $w, imported = $i, updated = $u WHERE id = $id",
                ("$w", watermark), ("$i", imported), ("$u", updated), ("$id", id));

        public void FinishImportRun(long id, ImportRunStatus status, string? error) =>
            _db.Execute("UPDATE import_runs SET status = $s, error = $e, finished_at = $t WHERE id = $id",
                ("$s", status.ToString()), ("$e", error), ("$t", SqliteDatabase.Time(DateTimeOffset.UtcNow)), ("$id", id));

        /// <summary>The import runs; a run still marked Running whose process is gone is reported as Interrupted.</summary>
        public IReadOnlyList<ImportRunRecord> ListImportRuns(string? connector = null) =>
            _db.Query("SELECT * FROM import_runs" + (connector != null ? " WHERE connector = $c" : "") + " ORDER BY id", ReadImportRun,
                connector != null ? new[] { ("$c", (object?)connector) } : Array.Empty<(string, object?)>());

        private static ImportRunRecord ReadImportRun(SqliteDataReader r)
        {
            var run = new ImportRunRecord
                {
                    Id = r.GetInt64(r.GetOrdinal("id")),
                    Connector = r.GetString(r.GetOrdinal("connector")),
                    Mode = (ImportMode)Enum.Parse(typeof(ImportMode), r.GetString(r.GetOrdinal("mode"))),
                    StartedAt = SqliteDatabase.ParseTime(r.GetString(r.GetOrdinal("started_at"))),
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
