using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Notifications;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// Notification rules and their delivery. A pass finds what each rule should tell (certificates crossing an expiry
    /// threshold, orders waiting for approval, orders issued or denied, imports that failed, CRLs near their next
    /// update), claims each subject so that no two processes send it, sends, and records it as sent: each threshold is
    /// told once per certificate. A delivery that fails is released and tried again by the next pass.
    /// </summary>
    public sealed class NotificationOperations : OperationBase
    {
        /// <summary>How long a claimed notification waits for its sender before another process may send it.</summary>
        public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(10);

        public NotificationOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        public NotificationRule? Add(NotificationRuleRequest request)
        {
            var (rule, secret) = Check(request);
            if (!Sink.ShouldProcess($"notification rule '{rule.Name}' ({rule.Channel} to {rule.Target}: {rule.Triggers})", "Create")) return null;
            try
            {
                var added = Workspace.Store.AddNotificationRule(rule, secret);
                Sink.WriteObject(added);
                return added;
            }
            finally { if (secret != null) Array.Clear(secret, 0, secret.Length); }
        }

        /// <summary>
        /// Creates the rule, or brings an existing rule of that name to it (what it sent stays recorded, so nothing is
        /// told twice); a secret given replaces the kept one. Used by configuration import.
        /// </summary>
        public Configuration.ConfigurationAction? Save(NotificationRuleRequest request)
        {
            var (rule, secret) = Check(request);
            try
            {
                var existing = Workspace.Store.GetNotificationRule(rule.Name);
                if (existing == null)
                {
                    if (!Sink.ShouldProcess($"notification rule '{rule.Name}' ({rule.Channel} to {rule.Target}: {rule.Triggers})", "Create")) return null;
                    Workspace.Store.AddNotificationRule(rule, secret);
                    return Configuration.ConfigurationAction.Added;
                }
                var keptSecret = existing.HasSecret ? Workspace.Store.GetNotificationSecret(existing.Name) : null;
                bool sameSecret = secret == null || (keptSecret != null && keptSecret.AsSpan().SequenceEqual(secret));
                if (keptSecret != null) Array.Clear(keptSecret, 0, keptSecret.Length);
                if (InventoryStore.SameRule(existing, rule) && sameSecret) return Configuration.ConfigurationAction.Unchanged;
                if (!Sink.ShouldProcess($"notification rule '{rule.Name}' ({rule.Channel} to {rule.Target}: {rule.Triggers})", "Update")) return null;
                Workspace.Store.UpdateNotificationRule(rule, secret);
                return Configuration.ConfigurationAction.Updated;
            }
            finally { if (secret != null) Array.Clear(secret, 0, secret.Length); }
        }

        public IReadOnlyList<NotificationRule> List(string? name = null)
        {
            var rules = name == null ? Workspace.Store.ListNotificationRules() : new[] { Require(name) };
            foreach (var rule in rules) Sink.WriteObject(rule);
            return rules;
        }

        public void Remove(IEnumerable<string> names)
        {
            foreach (var name in names)
                ForItem(name, () =>
                {
                    var rule = Require(name);
                    if (!Sink.ShouldProcess($"notification rule '{rule.Name}' ({rule.Channel} to {rule.Target})", "Remove")) return;
                    Workspace.Store.RemoveNotificationRule(rule.Name);
                });
        }

        /// <summary>Sends a test message on each rule named, so an administrator sees the channel works before anything is due.</summary>
        public void Test(IEnumerable<string> names)
        {
            foreach (var name in names)
                ForItem(name, () =>
                {
                    var rule = Require(name);
                    if (!Sink.ShouldProcess($"notification rule '{rule.Name}' ({rule.Channel} to {rule.Target})", "Send a test message")) return;
                    Deliver(rule, new[]
                    {
                        new Notification
                        {
                            Kind = NotificationKind.Test, Subject = "test", Title = $"PSCertConnector test of rule '{rule.Name}'",
                            Text = $"This is a test of notification rule '{rule.Name}' from {Environment.MachineName}. It is told about: {rule.Triggers}.",
                        },
                    });
                    Sink.WriteObject(rule);
                }, EventIds.NotificationFailedWillRetry);
        }

        /// <summary>Sends what every rule has due; returns how many notifications were delivered.</summary>
        public int SendDue()
        {
            int sent = 0;
            foreach (var rule in Workspace.Store.ListNotificationRules())
            {
                ForItem(rule.Name, () =>
                {
                    var sentBefore = Workspace.Store.NotifiedSubjects(rule.Id);
                    var due = Collect(rule).Where(n => !sentBefore.Contains(n.Subject)).ToList();
                    var claimed = due.Where(n => Workspace.Store.TryClaimNotification(rule.Id, n.Subject, ClaimLease)).ToList();
                    if (claimed.Count == 0) return;
                    // A digest is one message for the lot; otherwise one message each, and one failure does not hold back the rest.
                    var batches = rule.Digest ? new[] { (IReadOnlyList<Notification>)claimed } : claimed.Select(n => (IReadOnlyList<Notification>)new[] { n }).ToArray();
                    foreach (var batch in batches)
                    {
                        var subjects = batch.SelectMany(n => new[] { n.Subject }.Concat(n.AlsoCovers)).ToList();
                        if (!Sink.ShouldProcess($"notification rule '{rule.Name}' ({rule.Channel} to {rule.Target})", "Send: " + string.Join("; ", batch.Select(n => n.Title))))
                        {
                            Workspace.Store.ReleaseNotifications(rule.Id, batch.Select(n => n.Subject));
                            continue;
                        }
                        bool delivered = false;
                        try
                        {
                            delivered = ForItem(rule.Name, () =>
                            {
                                Deliver(rule, batch);
                                Workspace.Store.MarkNotificationsSent(rule.Id, subjects);
                            }, EventIds.NotificationFailedWillRetry);
                        }
                        finally
                        {
                            // Not delivered (a failure, or the pass stopped meanwhile): the next pass sends it.
                            if (!delivered) Workspace.Store.ReleaseNotifications(rule.Id, batch.Select(n => n.Subject));
                        }
                        if (!delivered) continue;
                        sent += batch.Count;
                        Event(EventIds.NotificationSent, EventChannel.Operational,
                            $"Notification rule '{rule.Name}' sent {string.Join("; ", batch.Select(n => n.Title))} to {rule.Target}.", rule.Connector, rule.Name);
                    }
                });
            }
            return sent;
        }

        private void Deliver(NotificationRule rule, IReadOnlyList<Notification> items)
        {
            var secret = rule.HasSecret ? Workspace.Store.GetNotificationSecret(rule.Name) : null;
            try { NotificationSender.Send(rule, secret, items, Sink.Cancellation); }
            finally { if (secret != null) Array.Clear(secret, 0, secret.Length); }
        }

        /// <summary>Everything the rule would tell now, sent before or not (the caller leaves out what was sent).</summary>
        public IReadOnlyList<Notification> Collect(NotificationRule rule)
        {
            var now = DateTimeOffset.UtcNow;
            var store = Workspace.Store;
            var found = new List<Notification>();
            var triggers = rule.Triggers;
            if (triggers.ExpiringDays.Count > 0)
            {
                var thresholds = triggers.ExpiringDays.OrderBy(d => d).ToList();
                var sent = store.NotifiedSubjects(rule.Id);
                foreach (var c in store.QueryCertificates(new CertificateQuery { Connector = rule.Connector, Status = CertificateStatus.Valid, ExpiringWithinDays = thresholds.Last() }))
                {
                    if (c.RenewedBy != null) continue; // its successor is in place: nothing to act on
                    var crossed = thresholds.Where(d => c.NotAfter - now <= TimeSpan.FromDays(d)).ToList();
                    if (crossed.Count == 0) continue;
                    var subjects = crossed.Select(d => $"expiring:{d}:{c.Thumbprint}").ToList();
                    if (subjects.All(sent.Contains)) continue;
                    // The nearest threshold is told; those passed over (a certificate first seen at 5 days) are recorded with it.
                    int days = crossed[0];
                    found.Add(new Notification
                    {
                        Kind = NotificationKind.Expiring, Subject = subjects[0], AlsoCovers = subjects.Skip(1).ToList(), Connector = c.Connector, Target = c.Thumbprint, ExpiresAt = c.NotAfter,
                        Title = $"Certificate '{Name(c)}' expires within {days} day{(days == 1 ? "" : "s")}",
                        Text = $"Certificate '{c.Subject}' (serial {c.SerialNumber}, thumbprint {c.Thumbprint}) on connector '{c.Connector}' expires {c.NotAfter:u}" +
                               $" ({Math.Max(0, c.DaysToExpiry)} days).{(c.Template != null ? $" Template: {c.Template}." : "")}",
                    });
                }
            }
            var orders = triggers.PendingOlderThanHours.HasValue || triggers.Issued || triggers.Denied
                ? store.QueryOrders(new OrderQuery { Connector = rule.Connector }) : Array.Empty<OrderRecord>();
            if (triggers.PendingOlderThanHours is int hours)
                foreach (var o in orders.Where(o => o.Status == SubmitStatus.Pending && now - o.CreatedAt >= TimeSpan.FromHours(hours)))
                    found.Add(OrderNotice(o, NotificationKind.PendingApproval, "pending",
                        $"Request {o.RequestId} for '{o.CommonName}' waits for approval on '{o.Connector}'",
                        $"Order {o.Id} (request {o.RequestId}, template {o.Template}) has been pending on '{o.Connector}' since {o.CreatedAt:u}. " +
                        $"A CA manager approves it in the CA, or with {UserText.Command($"order approve {o.Id}", $"Approve-AdcsRequest -Id {o.Id}")}."));
            // Issued and denied are told for what happens after the rule was made, not for every order of the past.
            if (triggers.Issued)
                foreach (var o in orders.Where(o => o.Status is SubmitStatus.Issued or SubmitStatus.IssuedOutOfBand && o.UpdatedAt >= rule.CreatedAt))
                    found.Add(OrderNotice(o, NotificationKind.Issued, "issued", $"Certificate for '{o.CommonName}' issued by '{o.Connector}'",
                        $"Order {o.Id} (request {o.RequestId}, template {o.Template}) was issued{(o.SerialNumber != null ? $", serial {o.SerialNumber}" : "")}."));
            if (triggers.Denied)
                foreach (var o in orders.Where(o => o.Status == SubmitStatus.Denied && o.UpdatedAt >= rule.CreatedAt))
                    found.Add(OrderNotice(o, NotificationKind.Denied, "denied", $"Request for '{o.CommonName}' denied by '{o.Connector}'",
                        $"Order {o.Id} (request {o.RequestId}, template {o.Template}) was denied: {o.DispositionMessage}"));
            if (triggers.ImportFailed)
                foreach (var streak in store.ListImportRuns(rule.Connector).GroupBy(r => r.Connector, StringComparer.OrdinalIgnoreCase))
                {
                    // One notification per outage: the failures since the connector's last good import are one subject
                    // (named by the first of them), so a CA that is down for a weekend is told once, not at every pass.
                    var runs = streak.OrderBy(r => r.Id).ToList();
                    int lastGood = runs.FindLastIndex(r => r.Status == ImportRunStatus.Succeeded);
                    var failed = runs.Skip(lastGood + 1).Where(r => r.Status == ImportRunStatus.Failed && r.StartedAt >= rule.CreatedAt).ToList();
                    if (failed.Count == 0) continue;
                    var first = failed[0];
                    var latest = failed[failed.Count - 1];
                    found.Add(new Notification
                    {
                        Kind = NotificationKind.ImportFailed, Subject = $"import-failed:{first.Connector}:{first.Id.ToString(CultureInfo.InvariantCulture)}", Connector = first.Connector,
                        Target = latest.Id.ToString(CultureInfo.InvariantCulture),
                        Title = $"The import from '{first.Connector}' failed",
                        Text = $"The import from connector '{first.Connector}' has failed since {first.StartedAt:u} ({failed.Count} attempt{(failed.Count == 1 ? "" : "s")}): {latest.Error}",
                    });
                }
            if (triggers.CrlWithinHours is int crlHours)
                found.AddRange(CrlsDue(rule, TimeSpan.FromHours(crlHours), now));
            return found;
        }

        private IEnumerable<Notification> CrlsDue(NotificationRule rule, TimeSpan within, DateTimeOffset now)
        {
            var result = new List<Notification>();
            foreach (var definition in Workspace.Store.ListConnectors().Where(c => rule.Connector == null || string.Equals(c.Name, rule.Connector, StringComparison.OrdinalIgnoreCase)))
            {
                // A CA that cannot be reached now is not this rule's business (connector test is); a CRL it cannot read is passed over.
                try
                {
                    var connector = Workspace.Connect(definition);
                    if ((connector.Capabilities & ConnectorCapabilities.Crl) == 0) continue;
                    var crl = CrlReader.Read(connector is Connectors.Embedded.LocalConnector local ? local.Authority.PublishedCrl() ?? Array.Empty<byte>() : connector.GetCrl(Sink.Cancellation));
                    if (crl.NextUpdate is not { } next || next - now > within) continue;
                    result.Add(new Notification
                    {
                        Kind = NotificationKind.CrlDue, Subject = $"crl:{definition.Name}:{crl.ThisUpdate:yyyyMMddHHmmss}", Connector = definition.Name, Target = crl.CrlNumber,
                        Title = $"The CRL of '{definition.Name}' lapses {next:u}",
                        Text = $"The CRL of connector '{definition.Name}' (number {crl.CrlNumber}, issued {crl.ThisUpdate:u}) reaches its next update {next:u} and no newer one is published. " +
                               "Relying parties that check revocation reject its certificates once it lapses.",
                    });
                }
                catch (Exception ex) when (ex is PscException or System.Security.Cryptography.CryptographicException or System.IO.IOException)
                {
                    Sink.WriteVerbose($"The CRL of '{definition.Name}' was not checked for rule '{rule.Name}': {ex.Message}");
                }
            }
            return result;
        }

        private static Notification OrderNotice(OrderRecord o, NotificationKind kind, string prefix, string title, string text) => new Notification
        {
            Kind = kind, Subject = prefix + ":" + o.Id.ToString(CultureInfo.InvariantCulture), Connector = o.Connector, Target = o.Id.ToString(CultureInfo.InvariantCulture), Title = title, Text = text,
        };

        private static string Name(CertificateRecord c) => c.CommonName ?? c.SubjectAlternativeNames.FirstOrDefault() ?? c.Subject;

        private NotificationRule Require(string name) => Workspace.Store.GetNotificationRule(name)
            ?? throw new PscException("NotificationRuleNotFound", FailureCategory.ObjectNotFound,
                $"No notification rule is named '{DisplayText.Escape(name, 100)}'. {UserText.Command("notify list", "Get-CaNotificationRule")} shows the rules.") { Target = name };

        /// <summary>Checks a request field by field and turns it into the rule to store and its secret.</summary>
        private (NotificationRule Rule, byte[]? Secret) Check(NotificationRuleRequest r)
        {
            if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 100 || r.Name.Any(char.IsControl))
                throw Invalid("Name", "a name of 1 to 100 printable characters");
            var t = r.Triggers;
            if (!t.Any)
                throw Invalid("Triggers", $"at least one thing to tell: {UserText.Command("--expiring-days, --pending-hours, --issued, --denied, --import-failed or --crl-hours", "-ExpiringDays, -PendingOlderThanHours, -Issued, -Denied, -ImportFailed or -CrlWithinHours")}");
            if (t.ExpiringDays.Any(d => d < 1 || d > 3650)) throw Invalid("ExpiringDays", "days between 1 and 3650 (e.g. 30,14,7,1)");
            if (t.PendingOlderThanHours is < 1 or > 8760) throw Invalid("PendingOlderThanHours", "hours between 1 and 8760");
            if (t.CrlWithinHours is < 1 or > 8760) throw Invalid("CrlWithinHours", "hours between 1 and 8760");
            if (r.Connector != null) Workspace.RequireConnector(r.Connector);
            t = t with { ExpiringDays = t.ExpiringDays.Distinct().OrderByDescending(d => d).ToList() };
            var settings = new Dictionary<string, string>();
            string target;
            byte[]? secret = null;
            switch (r.Channel)
            {
                case NotificationChannel.Smtp:
                    if (string.IsNullOrWhiteSpace(r.SmtpServer)) throw Invalid("SmtpServer", "the SMTP server as host or host:port");
                    var (host, port) = NotificationSender.SmtpServer(r.SmtpServer!.Trim());
                    NotificationSender.TlsOption(r.Tls);
                    if (string.IsNullOrWhiteSpace(r.From) || !MimeKit.MailboxAddress.TryParse(r.From, out _)) throw Invalid("From", "the sender's mail address");
                    var to = r.To.SelectMany(NotificationSender.Recipients).ToList();
                    if (to.Count == 0 || to.Any(a => !MimeKit.MailboxAddress.TryParse(a, out _))) throw Invalid("To", "one or more recipients' mail addresses");
                    target = host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
                    settings["from"] = r.From!.Trim();
                    settings["to"] = string.Join(",", to);
                    settings["tls"] = r.Tls.ToLowerInvariant();
                    if (!string.IsNullOrEmpty(r.Username)) settings["username"] = r.Username!;
                    if (!string.IsNullOrEmpty(r.Password))
                    {
                        if (string.IsNullOrEmpty(r.Username)) throw Invalid("Username", "the account the password is for");
                        if (settings["tls"] == "none") throw Invalid("Tls", "auto, starttls or ssl when signing in: with none the password would cross the network in the clear");
                        secret = Encoding.UTF8.GetBytes(r.Password);
                    }
                    break;
                case NotificationChannel.Webhook:
                    if (!Uri.TryCreate(r.WebhookUrl ?? "", UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
                        throw Invalid("WebhookUrl", "an absolute https:// URL (a Teams or Slack incoming webhook, or your own receiver)");
                    if (url.Scheme == "http" && !url.IsLoopback)
                        Sink.WriteWarning($"The webhook of rule '{r.Name}' is plain http: its notifications cross the network unencrypted.");
                    target = $"{url.Scheme}://{url.Authority}";
                    secret = Encoding.UTF8.GetBytes(url.AbsoluteUri);
                    break;
                default:
                    if (string.IsNullOrWhiteSpace(r.Command)) throw Invalid("Command", "the command line to run, which reads the notification as JSON on its standard input");
                    target = r.Command!.Trim();
                    break;
            }
            var rule = new NotificationRule
            {
                Name = r.Name.Trim(), Channel = r.Channel, Target = target, Triggers = t, Connector = r.Connector, Digest = r.Digest, Settings = settings, HasSecret = secret != null,
            };
            return (rule, secret);
        }

        private static PscException Invalid(string field, string expected) =>
            new PscException("InvalidNotificationRule", FailureCategory.InvalidArgument, $"The notification rule's {field} is not valid: expected {expected}.") { Target = field };
    }
}
