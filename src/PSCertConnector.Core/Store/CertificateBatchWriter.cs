using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Store
{
    /// <summary>
    /// Writes a page of certificates (an import page, or one certificate): each is read, inserted when new, refreshed
    /// when stored (revocation follows the CA, business unit set when given, tags merged); one that cannot be read is
    /// passed over with its error. Keeps the lookup indexes that a bulk import may set aside. The caller holds the transaction.
    /// (Multi-row INSERT statements were measured and were slower: SQLite looks parameters up by name, so binding grows
    /// with the square of the parameters in one statement.)
    /// </summary>
    internal sealed class CertificateBatchWriter
    {
        private readonly SqlDatabase _db;
        // Imports pass the same tag list for every row: it is serialised once.
        private string[]? _lastTags;
        private string _lastTagsJson = "[]";

        public CertificateBatchWriter(SqlDatabase db) => _db = db;

        /// <summary>A certificate read and ready to store, or the reason it could not be read.</summary>
        private sealed class Row
        {
            public InventoryStore.CertificateUpsert Item = null!;
            public CertificateDetails? Details;
            public PscException? Error;
        }

        public IReadOnlyList<InventoryStore.UpsertResult> Write(IReadOnlyList<InventoryStore.CertificateUpsert> items)
        {
            var rows = new Row[items.Count];
            for (int i = 0; i < items.Count; i++)
            {
                rows[i] = new Row { Item = items[i] };
                try { rows[i].Details = CertificateReader.Read(items[i].Der); }
                catch (PscException ex) { rows[i].Error = ex; }
            }
            var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
            // Where writers take turns (SQLite's database lock) the rows this page inserts are those above the highest id
            // before it; elsewhere each insert returns its id, as other hosts insert at the same time.
            bool takingTurns = _db.WritersTakeTurns;
            long highestBefore = takingTurns ? Convert.ToInt64(_db.Scalar("SELECT COALESCE(MAX(id), 0) FROM certificates"), CultureInfo.InvariantCulture) : 0;
            var inserted = new List<long>();
            // Rows the import's selection left out are only refreshed, never added: they take the row-by-row path after the others.
            var adding = rows.Where(r => !r.Item.UpdateOnly).ToArray();
            var results = _db.CanCopy && adding.Length >= CopyFrom ? WriteByCopy(adding, now, inserted) : WriteOneByOne(adding, now, takingTurns ? null : inserted);
            if (adding.Length < rows.Length)
            {
                var refreshed = RefreshOnly(rows.Where(r => r.Item.UpdateOnly).ToArray(), now);
                var all = new InventoryStore.UpsertResult[rows.Length];
                int a = 0, u = 0;
                for (int i = 0; i < rows.Length; i++) all[i] = rows[i].Item.UpdateOnly ? refreshed[u++] : results[a++];
                results = all;
            }
            if (takingTurns) { if (results.Any(r => r.Outcome == InventoryStore.UpsertOutcome.Inserted)) StoreNames("c.id > " + highestBefore.ToString(CultureInfo.InvariantCulture)); }
            else if (inserted.Count > 0) StoreNames($"c.id IN ({string.Join(",", inserted.Select(id => id.ToString(CultureInfo.InvariantCulture)))})");
            return results;
        }

        /// <summary>The names of the certificates just inserted, in one statement (a statement per row was measured to cost a third of an import).</summary>
        private void StoreNames(string whichCertificates) =>
            _db.Execute(_db.Dialect.Translate("INSERT INTO certificate_names (certificate_id, name, reversed) " +
                InventoryStore.NamesOfCertificates.Replace("{Where}", "WHERE " + whichCertificates).Replace("{And}", "AND")));

        private InventoryStore.UpsertResult[] WriteOneByOne(Row[] rows, string now, List<long>? inserted)
        {
            var results = new InventoryStore.UpsertResult[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                results[i] = row.Error != null ? new InventoryStore.UpsertResult(InventoryStore.UpsertOutcome.Unchanged, row.Error)
                    : new InventoryStore.UpsertResult(Insert(row, now, inserted) ? InventoryStore.UpsertOutcome.Inserted
                        : row.Item.InsertOnly ? InventoryStore.UpsertOutcome.Unchanged
                        : Refresh(row, StoredState(row.Details!), now), null);
            }
            return results;
        }

        private InventoryStore.UpsertResult[] RefreshOnly(Row[] rows, string now)
        {
            var results = new InventoryStore.UpsertResult[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                if (row.Error != null) { results[i] = new InventoryStore.UpsertResult(InventoryStore.UpsertOutcome.Unchanged, row.Error); continue; }
                var stored = StoredStateOrNull(row.Details!);
                // Only the revocation follows the CA: the run's business unit and tags are for what it imports, which this is not.
                var revocationOnly = new Row { Item = row.Item with { BusinessUnit = null, Tags = Array.Empty<string>() }, Details = row.Details };
                results[i] = new InventoryStore.UpsertResult(stored == null ? InventoryStore.UpsertOutcome.Excluded : Refresh(revocationOnly, stored, now), null);
            }
            return results;
        }

        // Below this many rows a page is stored row by row: a COPY and a merge cost more than a few single inserts.
        private const int CopyFrom = 16;

        private static readonly string[] StagingColumns =
        {
            "ord", "connector", "issuer", "issuer_key", "serial", "thumbprint_sha1", "thumbprint_sha256", "subject", "common_name", "sans",
            "not_before", "not_after", "template", "business_unit", "tags", "revoked_at", "revocation_reason", "source", "request_id", "key_id", "der",
        };

        /// <summary>
        /// PostgreSQL: the page goes to a temporary table by binary COPY, one statement inserts what is new (the first of
        /// each issuer and serial, with its key link), and what was already stored is refreshed as row by row.
        /// </summary>
        private InventoryStore.UpsertResult[] WriteByCopy(Row[] rows, string now, List<long> insertedIds)
        {
            _db.Execute(@"CREATE TEMPORARY TABLE IF NOT EXISTS certificate_staging (
                            ord INTEGER NOT NULL, connector TEXT, issuer TEXT, issuer_key TEXT, serial TEXT, thumbprint_sha1 TEXT, thumbprint_sha256 TEXT,
                            subject TEXT, common_name TEXT, sans TEXT, not_before TEXT, not_after TEXT, template TEXT, business_unit TEXT, tags TEXT,
                            revoked_at TEXT, revocation_reason INTEGER, source TEXT, request_id TEXT, key_id TEXT, der BYTEA);
                          TRUNCATE certificate_staging;");
            var readable = Enumerable.Range(0, rows.Length).Where(i => rows[i].Error == null).ToList();
            _db.Copy("certificate_staging", StagingColumns, readable.Select(i =>
            {
                var item = rows[i].Item;
                var d = rows[i].Details!;
                return new object?[]
                {
                    i, item.Connector, d.Issuer, d.IssuerKey, d.SerialNumber, d.ThumbprintSha1, d.ThumbprintSha256, d.Subject, d.CommonName,
                    SansJson(d.SubjectAlternativeNames), SqlDatabase.Time(d.NotBefore), SqlDatabase.Time(d.NotAfter), item.Template ?? d.Template,
                    item.BusinessUnit, TagsJson(item.Tags), SqlDatabase.Time(item.RevokedAt), item.Reason.HasValue ? (int)item.Reason.Value : null,
                    item.Source.ToString(), item.RequestId, d.PublicKeyId, item.Der,
                };
            }));

            // Staged rows that were inserted are deleted from the staging table; what stays was already stored (or repeats an earlier row).
            var insertedRows = _db.Query(@"
                WITH inserted AS (
                       INSERT INTO certificates (connector, issuer, issuer_key, serial, thumbprint_sha1, thumbprint_sha256, subject, common_name, sans,
                         not_before, not_after, template, business_unit, tags, revoked_at, revocation_reason, source, request_id, key_id, der, created_at, updated_at)
                       SELECT DISTINCT ON (s.issuer_key, s.serial) s.connector, s.issuer, s.issuer_key, s.serial, s.thumbprint_sha1, s.thumbprint_sha256,
                         s.subject, s.common_name, s.sans, s.not_before, s.not_after, s.template, s.business_unit, s.tags, s.revoked_at, s.revocation_reason,
                         s.source, s.request_id, k.key_id, s.der, @now, @now
                       FROM certificate_staging s LEFT JOIN request_keys k ON k.key_id = s.key_id
                       ORDER BY s.issuer_key, s.serial, s.ord
                       ON CONFLICT (issuer_key, serial) DO NOTHING
                       RETURNING id, issuer_key, serial),
                     firsts AS (
                       SELECT min(s.ord) AS ord, i.id FROM inserted i JOIN certificate_staging s ON s.issuer_key = i.issuer_key AND s.serial = i.serial GROUP BY i.id),
                     done AS (
                       DELETE FROM certificate_staging s USING firsts f WHERE s.ord = f.ord RETURNING s.ord, f.id)
                SELECT ord, id FROM done", r => (Ord: r.GetInt32(0), Id: r.GetInt64(1)), ("@now", now));
            insertedIds.AddRange(insertedRows.Select(x => x.Id));
            var inserted = new HashSet<int>(insertedRows.Select(x => x.Ord));

            var results = new InventoryStore.UpsertResult[rows.Length];
            var pending = new List<int>();
            for (int i = 0; i < rows.Length; i++)
            {
                if (rows[i].Error != null) results[i] = new InventoryStore.UpsertResult(InventoryStore.UpsertOutcome.Unchanged, rows[i].Error);
                else if (inserted.Contains(i)) results[i] = new InventoryStore.UpsertResult(InventoryStore.UpsertOutcome.Inserted, null);
                else if (rows[i].Item.InsertOnly) results[i] = new InventoryStore.UpsertResult(InventoryStore.UpsertOutcome.Unchanged, null);
                else pending.Add(i);
            }
            if (pending.Count == 0) return results;

            // The stored state of every row still to refresh, read at once; rows repeating one certificate see each other's changes.
            var stored = new Dictionary<int, StoredRow>();
            foreach (var (ord, state) in _db.Query(@"SELECT s.ord, c.id, c.tags, c.business_unit, c.revoked_at, c.revocation_reason
                                                     FROM certificate_staging s JOIN certificates c ON c.issuer_key = s.issuer_key AND c.serial = s.serial",
                         r => (r.GetInt32(0), ReadStoredRow(r, 1))))
                stored[ord] = state;
            var current = new Dictionary<long, StoredRow>();
            foreach (var i in pending)
            {
                var state = stored[i];
                if (current.TryGetValue(state.Id, out var changed)) state = changed;
                results[i] = new InventoryStore.UpsertResult(Refresh(rows[i], state, now, current), null);
            }
            return results;
        }

        /// <summary>One statement for the common case, a certificate not seen before (the key link is resolved in SQL); its id is added to <paramref name="inserted"/> when given.</summary>
        private bool Insert(Row row, string now, List<long>? inserted)
        {
            var item = row.Item;
            var d = row.Details!;
            var parameters = new (string, object?)[]
            {
                ("@c", item.Connector), ("@i", d.Issuer), ("@ik", d.IssuerKey), ("@s", d.SerialNumber), ("@t1", d.ThumbprintSha1), ("@t2", d.ThumbprintSha256),
                ("@subj", d.Subject), ("@cn", d.CommonName), ("@sans", SansJson(d.SubjectAlternativeNames)),
                ("@nb", SqlDatabase.Time(d.NotBefore)), ("@na", SqlDatabase.Time(d.NotAfter)), ("@tpl", item.Template ?? d.Template),
                ("@bu", item.BusinessUnit), ("@tags", TagsJson(item.Tags)), ("@ra", SqlDatabase.Time(item.RevokedAt)),
                ("@rr", item.Reason.HasValue ? (int)item.Reason.Value : null), ("@src", item.Source.ToString()), ("@rid", item.RequestId),
                ("@kid", d.PublicKeyId), ("@der", item.Der), ("@now", now),
            };
            if (inserted == null) return _db.Execute(InsertSql, parameters) == 1;
            var id = _db.Scalar(InsertSql + " RETURNING id", parameters);
            if (id == null) return false;
            inserted.Add(Convert.ToInt64(id, CultureInfo.InvariantCulture));
            return true;
        }

        // The lookup indexes whose keys are random (serials, hashes and names): each new row lands on a different page of each, which
        // the benchmark showed cost about two thirds of an import's storing time. A bulk import drops them and builds them
        // once at its end (a sort); opening the inventory builds any that are missing, e.g. after a killed import.
        private static readonly (string Name, string Definition)[] LookupIndexes =
        {
            ("ix_certificates_serial", "certificates(serial)"),
            ("ix_certificates_sha1", "certificates(thumbprint_sha1)"),
            ("ix_certificates_sha256", "certificates(thumbprint_sha256)"),
            ("ix_certificate_names_certificate", "certificate_names(certificate_id)"),
            ("ix_certificate_names_name", "certificate_names(name)"),
            ("ix_certificate_names_reversed", "certificate_names(reversed)"),
        };

        // Index upkeep is for the home's SQLite file only (the store decides): a shared database keeps its indexes for the other hosts.
        public void DropLookupIndexes()
        {
            foreach (var (name, _) in LookupIndexes) _db.Execute("DROP INDEX IF EXISTS " + name);
        }

        /// <summary>Builds the lookup indexes that are missing; returns how many it built.</summary>
        public int EnsureLookupIndexes()
        {
            int built = 0;
            foreach (var (name, definition) in LookupIndexes)
            {
                if (_db.Scalar("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = @name", ("@name", name)) != null) continue;
                _db.Execute($"CREATE INDEX IF NOT EXISTS {name} ON {definition}");
                built++;
            }
            return built;
        }

        private const string InsertSql =
            @"INSERT INTO certificates (connector, issuer, issuer_key, serial, thumbprint_sha1, thumbprint_sha256, subject, common_name, sans,
                not_before, not_after, template, business_unit, tags, revoked_at, revocation_reason, source, request_id, key_id, der, created_at, updated_at)
              VALUES (@c, @i, @ik, @s, @t1, @t2, @subj, @cn, @sans, @nb, @na, @tpl, @bu, @tags, @ra, @rr, @src, @rid,
                      (SELECT key_id FROM request_keys WHERE key_id = @kid), @der, @now, @now)
              ON CONFLICT (issuer_key, serial) DO NOTHING";

        /// <summary>What a refresh compares: the stored row's tags, business unit and revocation.</summary>
        private sealed record StoredRow(long Id, string Tags, string? BusinessUnit, string? RevokedAt, long? Reason);

        private static StoredRow ReadStoredRow(System.Data.Common.DbDataReader r, int first) => new(
            r.GetInt64(first), r.GetString(first + 1), r.IsDBNull(first + 2) ? null : r.GetString(first + 2),
            r.IsDBNull(first + 3) ? null : r.GetString(first + 3), r.IsDBNull(first + 4) ? null : Convert.ToInt64(r.GetValue(first + 4), System.Globalization.CultureInfo.InvariantCulture));

        private StoredRow StoredState(CertificateDetails details) => StoredStateOrNull(details)!;

        private StoredRow? StoredStateOrNull(CertificateDetails details) =>
            _db.Query("SELECT id, tags, business_unit, revoked_at, revocation_reason FROM certificates WHERE issuer_key = @ik AND serial = @s",
                r => ReadStoredRow(r, 0), ("@ik", details.IssuerKey), ("@s", details.SerialNumber)).SingleOrDefault();

        /// <summary>An existing row: revocation follows the CA, business unit is set when given, tags are merged.</summary>
        /// <param name="changes">Where the new state of a changed row is kept for later rows of the same page, when given.</param>
        private InventoryStore.UpsertOutcome Refresh(Row input, StoredRow row, string now, Dictionary<long, StoredRow>? changes = null)
        {
            var item = input.Item;
            var revokedAt = SqlDatabase.Time(item.RevokedAt);
            int? reason = item.Reason.HasValue ? (int)item.Reason.Value : null;
            var oldTags = JsonSerializer.Deserialize<List<string>>(row.Tags) ?? new List<string>();
            var tags = oldTags.Concat(item.Tags).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var businessUnit = item.BusinessUnit ?? row.BusinessUnit;
            bool changed = row.RevokedAt != revokedAt || row.Reason != reason || businessUnit != row.BusinessUnit || tags.Count != oldTags.Count;
            if (!changed) return InventoryStore.UpsertOutcome.Unchanged;
            var tagsJson = JsonSerializer.Serialize(tags);
            _db.Execute("UPDATE certificates SET revoked_at = @ra, revocation_reason = @rr, business_unit = @bu, tags = @tags, updated_at = @now WHERE id = @id",
                ("@ra", revokedAt), ("@rr", reason), ("@bu", businessUnit), ("@tags", tagsJson), ("@now", now), ("@id", row.Id));
            if (changes != null) changes[row.Id] = new StoredRow(row.Id, tagsJson, businessUnit, revokedAt, reason);
            return InventoryStore.UpsertOutcome.Updated;
        }

        private string TagsJson(IReadOnlyList<string> tags)
        {
            if (_lastTags == null || !_lastTags.SequenceEqual(tags, StringComparer.Ordinal))
            {
                _lastTags = tags.ToArray();
                _lastTagsJson = JsonSerializer.Serialize(tags.Distinct(StringComparer.OrdinalIgnoreCase).ToArray());
            }
            return _lastTagsJson;
        }

        private static string SansJson(IReadOnlyList<SubjectAlternativeName> sans)
        {
            if (sans.Count == 0) return "[]";
            var values = new string[sans.Count];
            for (int i = 0; i < values.Length; i++) values[i] = sans[i].ToString();
            return JsonSerializer.Serialize(values);
        }
    }
}
