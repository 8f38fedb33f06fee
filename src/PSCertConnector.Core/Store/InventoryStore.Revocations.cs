using System;
using System.Collections.Generic;
using System.Data.Common;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Store
{
    /// <summary>The revocation queue: requests waiting for the maintenance pass, and the outcome of each.</summary>
    public sealed partial class InventoryStore
    {
        /// <summary>
        /// Queues a revocation; a certificate already waiting for one keeps its request (returned), whatever this one's reason.
        /// One waiting request per certificate is also what the database holds to, so two hosts queuing at once make one.
        /// </summary>
        public (RevocationRequest Request, bool Added) QueueRevocation(CertificateRecord certificate, RevocationReason reason, DateTimeOffset? effectiveAt)
        {
            try { return TryQueueRevocation(certificate, reason, effectiveAt); }
            catch (DbException ex) when (_db.IsUniqueViolation(ex))
            {
                var waiting = _db.Query("SELECT * FROM revocation_requests WHERE certificate_id = @c AND status = @s", ReadRevocation,
                    ("@c", certificate.Id), ("@s", RevocationRequestStatus.Queued.ToString()));
                if (waiting.Count == 0) throw;
                return (waiting[0], false);
            }
        }

        private (RevocationRequest Request, bool Added) TryQueueRevocation(CertificateRecord certificate, RevocationReason reason, DateTimeOffset? effectiveAt) =>
            _db.InTransaction(() =>
            {
                var waiting = _db.Query("SELECT * FROM revocation_requests WHERE certificate_id = @c AND status = @s ORDER BY id",
                    ReadRevocation, ("@c", certificate.Id), ("@s", RevocationRequestStatus.Queued.ToString()));
                if (waiting.Count > 0) return (waiting[0], false);
                var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
                _db.Execute(@"INSERT INTO revocation_requests (certificate_id, serial_number, connector, subject, reason, effective_at, status, attempts, next_attempt_at, requested_by, requested_at)
                              VALUES (@c, @serial, @connector, @subject, @reason, @effective, @s, 0, @now, @by, @now)",
                    ("@c", certificate.Id), ("@serial", certificate.SerialNumber), ("@connector", certificate.Connector), ("@subject", certificate.Subject),
                    ("@reason", (int)reason), ("@effective", SqlDatabase.Time(effectiveAt)), ("@s", RevocationRequestStatus.Queued.ToString()),
                    ("@now", now), ("@by", ProcessIdentity.Current));
                var added = _db.Query("SELECT * FROM revocation_requests WHERE certificate_id = @c AND status = @s ORDER BY id DESC",
                    ReadRevocation, ("@c", certificate.Id), ("@s", RevocationRequestStatus.Queued.ToString()))[0];
                return (added, true);
            });

        /// <summary>Queued requests whose next attempt has come, oldest first.</summary>
        public IReadOnlyList<RevocationRequest> RevocationsDue(DateTimeOffset now) =>
            _db.Query("SELECT * FROM revocation_requests WHERE status = @s AND (next_attempt_at IS NULL OR next_attempt_at <= @now) ORDER BY id",
                ReadRevocation, ("@s", RevocationRequestStatus.Queued.ToString()), ("@now", SqlDatabase.Time(now)));

        /// <summary>Requests in a state (all when null), newest first.</summary>
        public IReadOnlyList<RevocationRequest> ListRevocations(RevocationRequestStatus? status) => status == null
            ? _db.Query("SELECT * FROM revocation_requests ORDER BY id DESC", ReadRevocation)
            : _db.Query("SELECT * FROM revocation_requests WHERE status = @s ORDER BY id DESC", ReadRevocation, ("@s", status.Value.ToString()));

        public RevocationRequest? GetRevocation(long id)
        {
            var found = _db.Query("SELECT * FROM revocation_requests WHERE id = @id", ReadRevocation, ("@id", id));
            return found.Count > 0 ? found[0] : null;
        }

        /// <summary>Records an attempt: done (Revoked), given up (Failed), or to be retried at <paramref name="retryAt"/> (still Queued).</summary>
        public RevocationRequest RecordRevocationAttempt(long id, RevocationRequestStatus status, string? error, DateTimeOffset? retryAt)
        {
            var now = DateTimeOffset.UtcNow;
            _db.Execute(@"UPDATE revocation_requests SET status = @s, attempts = attempts + 1, last_error = @e, next_attempt_at = @next, completed_at = @done WHERE id = @id",
                ("@s", status.ToString()), ("@e", error), ("@next", SqlDatabase.Time(retryAt)),
                ("@done", status == RevocationRequestStatus.Queued ? null : SqlDatabase.Time(now)), ("@id", id));
            return GetRevocation(id)!;
        }

        /// <summary>Makes a queued request due at once (its CA is back; do not wait for the next retry).</summary>
        public bool RetryRevocationNow(long id) =>
            _db.Execute("UPDATE revocation_requests SET next_attempt_at = @now WHERE id = @id AND status = @s",
                ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)), ("@id", id), ("@s", RevocationRequestStatus.Queued.ToString())) == 1;

        private static RevocationRequest ReadRevocation(DbDataReader r) => new RevocationRequest
        {
            Id = r.GetInt64(r.GetOrdinal("id")),
            CertificateId = r.GetInt64(r.GetOrdinal("certificate_id")),
            SerialNumber = r.GetString(r.GetOrdinal("serial_number")),
            Connector = r.GetString(r.GetOrdinal("connector")),
            Subject = r.GetString(r.GetOrdinal("subject")),
            Reason = (RevocationReason)r.GetInt32(r.GetOrdinal("reason")),
            EffectiveAt = r.StringOrNull("effective_at") is { } effective ? SqlDatabase.ParseTime(effective) : null,
            Status = (RevocationRequestStatus)Enum.Parse(typeof(RevocationRequestStatus), r.GetString(r.GetOrdinal("status"))),
            Attempts = r.GetInt32(r.GetOrdinal("attempts")),
            NextAttemptAt = r.StringOrNull("next_attempt_at") is { } next ? SqlDatabase.ParseTime(next) : null,
            LastError = r.StringOrNull("last_error"),
            RequestedBy = r.StringOrNull("requested_by"),
            RequestedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("requested_at"))),
            CompletedAt = r.StringOrNull("completed_at") is { } done ? SqlDatabase.ParseTime(done) : null,
        };
    }
}
