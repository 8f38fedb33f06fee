using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Notifications;

namespace PSCertConnector.Core.Store
{
    /// <summary>What unattended work keeps in the inventory: order polling, notification rules and what they sent.</summary>
    public sealed partial class InventoryStore
    {
        private static readonly JsonSerializerOptions TriggerJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

        // ---------------------------------------------------------------- order polling

        /// <summary>Pending orders whose next poll time has come (or was never set), oldest first.</summary>
        public IReadOnlyList<OrderRecord> PendingOrdersDue(DateTimeOffset now) =>
            _db.Query("SELECT * FROM orders WHERE status = @s AND request_id IS NOT NULL AND (next_poll_at IS NULL OR next_poll_at <= @now) ORDER BY id",
                ReadOrder, ("@s", SubmitStatus.Pending.ToString()), ("@now", SqlDatabase.Time(now)));

        /// <summary>Records an unanswered poll: the order is asked about again at <paramref name="next"/>.</summary>
        public void SetNextPoll(long orderId, DateTimeOffset next, int attempts) =>
            _db.Execute("UPDATE orders SET next_poll_at = @n, poll_attempts = @a WHERE id = @id",
                ("@n", SqlDatabase.Time(next)), ("@a", attempts), ("@id", orderId));

        /// <summary>Renewals fetched whose successor is not deployed yet (a deployment failed, or the process stopped in between).</summary>
        public IReadOnlyList<OrderRecord> RenewalsToFinish() =>
            _db.Query("SELECT * FROM orders WHERE renews IS NOT NULL AND fetched_at IS NOT NULL AND finished_at IS NULL AND status IN ('Issued', 'IssuedOutOfBand') ORDER BY id",
                ReadOrder);

        public void MarkRenewalFinished(long orderId) =>
            _db.Execute("UPDATE orders SET finished_at = @now WHERE id = @id", ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)), ("@id", orderId));

        /// <summary>The latest renewal order of a certificate, whatever its state.</summary>
        public OrderRecord? LatestRenewalOrder(string predecessorThumbprint) =>
            _db.Query("SELECT * FROM orders WHERE renews = @renews ORDER BY id DESC", ReadOrder, ("@renews", predecessorThumbprint)).FirstOrDefault();

        // ---------------------------------------------------------------- notification rules

        public NotificationRule AddNotificationRule(NotificationRule rule, byte[]? secret)
        {
            var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
            try
            {
                _db.Execute(@"INSERT INTO notification_rules (name, channel, target, triggers, connector, digest, settings, secret, created_at, updated_at)
                              VALUES (@name, @channel, @target, @triggers, @connector, @digest, @settings, @secret, @now, @now)",
                    ("@name", rule.Name), ("@channel", rule.Channel.ToString()), ("@target", rule.Target),
                    ("@triggers", JsonSerializer.Serialize(rule.Triggers, TriggerJson)), ("@connector", rule.Connector), ("@digest", rule.Digest ? 1 : 0),
                    ("@settings", JsonSerializer.Serialize(rule.Settings)), ("@secret", secret == null ? null : Protect(secret)), ("@now", now));
            }
            catch (DbException ex) when (_db.IsUniqueViolation(ex))
            {
                throw new PscException("NotificationRuleExists", FailureCategory.ResourceExists,
                    $"A notification rule named '{rule.Name}' already exists. Choose another name, or remove it first.") { Target = rule.Name };
            }
            return GetNotificationRule(rule.Name)!;
        }

        /// <summary>Changes a rule in place (what it sent stays recorded); the secret is replaced only when one is given.</summary>
        public NotificationRule UpdateNotificationRule(NotificationRule rule, byte[]? secret)
        {
            _db.Execute(@"UPDATE notification_rules SET channel = @channel, target = @target, triggers = @triggers, connector = @connector, digest = @digest,
                          settings = @settings, secret = COALESCE(@secret, secret), updated_at = @now WHERE name = @name",
                ("@name", rule.Name), ("@channel", rule.Channel.ToString()), ("@target", rule.Target),
                ("@triggers", JsonSerializer.Serialize(rule.Triggers, TriggerJson)), ("@connector", rule.Connector), ("@digest", rule.Digest ? 1 : 0),
                ("@settings", JsonSerializer.Serialize(rule.Settings)), ("@secret", secret == null ? null : Protect(secret)), ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow)));
            return GetNotificationRule(rule.Name)!;
        }

        /// <summary>Whether two rules tell the same things the same way (names and times aside).</summary>
        public static bool SameRule(NotificationRule a, NotificationRule b) =>
            a.Channel == b.Channel && a.Target == b.Target && string.Equals(a.Connector, b.Connector, StringComparison.OrdinalIgnoreCase) && a.Digest == b.Digest
            && JsonSerializer.Serialize(a.Triggers, TriggerJson) == JsonSerializer.Serialize(b.Triggers, TriggerJson)
            && a.Settings.Count == b.Settings.Count && a.Settings.All(p => b.Settings.TryGetValue(p.Key, out var v) && v == p.Value);

        public NotificationRule? GetNotificationRule(string name) =>
            _db.Query("SELECT * FROM notification_rules WHERE name = @n", ReadRule, ("@n", name)).FirstOrDefault();

        public IReadOnlyList<NotificationRule> ListNotificationRules() =>
            _db.Query("SELECT * FROM notification_rules ORDER BY name", ReadRule);

        public bool RemoveNotificationRule(string name) => _db.Execute("DELETE FROM notification_rules WHERE name = @n", ("@n", name)) > 0;

        /// <summary>The rule's secret in plain form, for delivery only.</summary>
        public byte[]? GetNotificationSecret(string name)
        {
            var value = _db.Query("SELECT secret FROM notification_rules WHERE name = @n", r => r.BytesOrNull("secret"), ("@n", name)).FirstOrDefault();
            return value == null ? null : Unprotect(value);
        }

        private static NotificationRule ReadRule(DbDataReader r) => new NotificationRule
        {
            Id = r.GetInt64(r.GetOrdinal("id")),
            Name = r.GetString(r.GetOrdinal("name")),
            Channel = (NotificationChannel)Enum.Parse(typeof(NotificationChannel), r.GetString(r.GetOrdinal("channel"))),
            Target = r.GetString(r.GetOrdinal("target")),
            Triggers = JsonSerializer.Deserialize<NotificationTriggers>(r.GetString(r.GetOrdinal("triggers")), TriggerJson) ?? new NotificationTriggers(),
            Connector = r.StringOrNull("connector"),
            Digest = r.GetInt32(r.GetOrdinal("digest")) != 0,
            Settings = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(r.GetOrdinal("settings"))) ?? new Dictionary<string, string>(),
            HasSecret = !r.IsDBNull(r.GetOrdinal("secret")),
            CreatedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
            UpdatedAt = SqlDatabase.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
        };

        // ---------------------------------------------------------------- what rules sent

        /// <summary>
        /// Claims the right to send one notification (a rule and a subject such as "expiring:30:THUMBPRINT"): true when it
        /// was never sent and no other process is sending it now. A claim whose process died before it said "sent" expires
        /// after <paramref name="lease"/> and is sent again, so a notification is never lost (it may, rarely, repeat).
        /// </summary>
        public bool TryClaimNotification(long ruleId, string subject, TimeSpan lease)
        {
            var now = DateTimeOffset.UtcNow;
            return _db.Execute(@"INSERT INTO notifications_sent (rule_id, subject, state, holder, expires_at) VALUES (@r, @s, 'sending', @h, @until)
                                 ON CONFLICT (rule_id, subject) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                                 WHERE notifications_sent.state = 'sending' AND notifications_sent.expires_at <= @now",
                ("@r", ruleId), ("@s", subject), ("@h", ProcessIdentity.Current), ("@until", SqlDatabase.Time(now + lease)), ("@now", SqlDatabase.Time(now))) == 1;
        }

        /// <summary>Records notifications as sent (also thresholds passed over, so a certificate found at 5 days is told once, not three times).</summary>
        public void MarkNotificationsSent(long ruleId, IEnumerable<string> subjects)
        {
            var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
            _db.InTransaction(() =>
            {
                foreach (var subject in subjects)
                    _db.Execute(@"INSERT INTO notifications_sent (rule_id, subject, state, sent_at) VALUES (@r, @s, 'sent', @now)
                                  ON CONFLICT (rule_id, subject) DO UPDATE SET state = 'sent', sent_at = excluded.sent_at, holder = NULL, expires_at = NULL",
                        ("@r", ruleId), ("@s", subject), ("@now", now));
                return 0;
            });
        }

        /// <summary>Gives up claims that could not be delivered, so the next pass tries them again.</summary>
        public void ReleaseNotifications(long ruleId, IEnumerable<string> subjects)
        {
            _db.InTransaction(() =>
            {
                foreach (var subject in subjects)
                    _db.Execute("DELETE FROM notifications_sent WHERE rule_id = @r AND subject = @s AND state = 'sending' AND holder = @h",
                        ("@r", ruleId), ("@s", subject), ("@h", ProcessIdentity.Current));
                return 0;
            });
        }

        /// <summary>
        /// The subjects a rule has sent, or is sending under a claim that has not expired (to leave them out before
        /// claiming); a claim whose sender died is not among them, so the next pass takes it over.
        /// </summary>
        public HashSet<string> NotifiedSubjects(long ruleId) =>
            new HashSet<string>(_db.Query("SELECT subject FROM notifications_sent WHERE rule_id = @r AND (state = 'sent' OR expires_at > @now)",
                r => r.GetString(0), ("@r", ruleId), ("@now", SqlDatabase.Time(DateTimeOffset.UtcNow))), StringComparer.Ordinal);
    }
}
