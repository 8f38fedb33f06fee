using System;
using System.Collections.Generic;
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
            var results = new InventoryStore.UpsertResult[rows.Length];
            var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
            for (int i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                results[i] = row.Error != null ? new InventoryStore.UpsertResult(InventoryStore.UpsertOutcome.Unchanged, row.Error)
                    : new InventoryStore.UpsertResult(Insert(row, now) ? InventoryStore.UpsertOutcome.Inserted
                        : row.Item.InsertOnly ? InventoryStore.UpsertOutcome.Unchanged
                        : Refresh(row, now), null);
            }
            return results;
        }

        /// <summary>One statement for the common case, a certificate not seen before; the key link is resolved in SQL.</summary>
        private bool Insert(Row row, string now)
        {
            var item = row.Item;
            var d = row.Details!;
            return _db.Execute(InsertSql,
                ("@c", item.Connector), ("@i", d.Issuer), ("@ik", d.IssuerKey), ("@s", d.SerialNumber), ("@t1", d.ThumbprintSha1), ("@t2", d.ThumbprintSha256),
                ("@subj", d.Subject), ("@cn", d.CommonName), ("@sans", SansJson(d.SubjectAlternativeNames)),
                ("@nb", SqlDatabase.Time(d.NotBefore)), ("@na", SqlDatabase.Time(d.NotAfter)), ("@tpl", item.Template ?? d.Template),
                ("@bu", item.BusinessUnit), ("@tags", TagsJson(item.Tags)), ("@ra", SqlDatabase.Time(item.RevokedAt)),
                ("@rr", item.Reason.HasValue ? (int)item.Reason.Value : null), ("@src", item.Source.ToString()), ("@rid", item.RequestId),
                ("@kid", d.PublicKeyId), ("@der", item.Der), ("@now", now)) == 1;
        }

        // The lookup indexes whose keys are random (serials and hashes): each new row lands on a different page of each, which
        // the benchmark showed cost about two thirds of an import's storing time. A bulk import drops them and builds them
        // once at its end (a sort); opening the inventory builds any that are missing, e.g. after a killed import.
        private static readonly (string Name, string Definition)[] LookupIndexes =
        {
            ("ix_certificates_serial", "certificates(serial)"),
            ("ix_certificates_sha1", "certificates(thumbprint_sha1)"),
            ("ix_certificates_sha256", "certificates(thumbprint_sha256)"),
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

        /// <summary>An existing row: revocation follows the CA, business unit is set when given, tags are merged.</summary>
        private InventoryStore.UpsertOutcome Refresh(Row input, string now)
        {
            var item = input.Item;
            var details = input.Details!;
            var revokedAt = SqlDatabase.Time(item.RevokedAt);
            int? reason = item.Reason.HasValue ? (int)item.Reason.Value : null;
            var row = _db.Query("SELECT id, tags, business_unit, revoked_at, revocation_reason FROM certificates WHERE issuer_key = @ik AND serial = @s",
                r => (Id: r.GetInt64(0), Tags: r.GetString(1), Bu: r.StringOrNull("business_unit"), RevokedAt: r.StringOrNull("revoked_at"), Reason: r.LongOrNull("revocation_reason")),
                ("@ik", details.IssuerKey), ("@s", details.SerialNumber)).Single();
            var oldTags = JsonSerializer.Deserialize<List<string>>(row.Tags) ?? new List<string>();
            var tags = oldTags.Concat(item.Tags).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var businessUnit = item.BusinessUnit ?? row.Bu;
            bool changed = row.RevokedAt != revokedAt || row.Reason != reason || businessUnit != row.Bu || tags.Count != oldTags.Count;
            if (!changed) return InventoryStore.UpsertOutcome.Unchanged;
            _db.Execute("UPDATE certificates SET revoked_at = @ra, revocation_reason = @rr, business_unit = @bu, tags = @tags, updated_at = @now WHERE id = @id",
                ("@ra", revokedAt), ("@rr", reason), ("@bu", businessUnit), ("@tags", JsonSerializer.Serialize(tags)), ("@now", now), ("@id", row.Id));
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
