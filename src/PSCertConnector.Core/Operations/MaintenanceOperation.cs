using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// One unattended pass over the inventory: the imports that are due, the queued revocations, pending orders whose next poll has come (each
    /// unanswered poll waits twice as long, up to four hours), issued orders not fetched yet (a renewal approved since
    /// is finished: deployed like its predecessor), renewals that are due, embedded-CA CRLs past half their validity,
    /// and the notifications that are due. Each unit of work is claimed under a lease first, so two passes at once
    /// (on one host or several sharing a PostgreSQL store) never do the same work, and a pass straight after another
    /// finds nothing to do. A failed item is an error and an event, and the next pass tries it again.
    /// </summary>
    public sealed class MaintenanceOperation : OperationBase
    {
        private const string Activity = "Maintenance pass";
        private const int ProgressId = 7;
        public static readonly TimeSpan FirstPollDelay = TimeSpan.FromMinutes(5);
        public static readonly TimeSpan LongestPollDelay = TimeSpan.FromHours(4);
        private static readonly TimeSpan RenewalLease = RenewalOperations.FinishLease;
        private static readonly TimeSpan CrlLease = TimeSpan.FromMinutes(2);

        public MaintenanceOperation(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>How long a pending order waits after its <paramref name="attempts"/>-th unanswered poll.</summary>
        public static TimeSpan PollDelay(int attempts)
        {
            var delay = TimeSpan.FromTicks(FirstPollDelay.Ticks * (1L << Math.Min(Math.Max(attempts, 1) - 1, 20)));
            return delay > LongestPollDelay ? LongestPollDelay : delay;
        }

        public MaintenanceReport RunOnce(MaintenanceOptions options)
        {
            var started = DateTimeOffset.UtcNow;
            Event(EventIds.MaintenancePassStarted, EventChannel.Operational, $"A maintenance pass started on {Environment.MachineName}.", outcome: EventOutcome.Info);
            var renewal = options.Renewal with { Unattended = true };
            var report = new MaintenanceReport { StartedAt = started, Host = Environment.MachineName };
            int failures = 0;
            try
            {
                Step(1, "Importing what is due", s =>
                {
                    new ImportOperation(Workspace, s).ImportDue(new ImportOptions(), options.ImportLease);
                    report = report with { Imports = s.Objects.OfType<ImportRunRecord>().Count() };
                }, ref failures);
                Step(2, "Revoking what is queued", s => report = report with { Revocations = new RevocationQueueOperations(Workspace, s).ProcessDue() }, ref failures);
                Step(3, "Polling pending orders", s => report = Poll(s, report), ref failures);
                Step(4, "Fetching issued orders", s => report = FetchIssued(s, renewal, report), ref failures);
                Step(5, "Renewing what is due", s => report = RenewDue(s, renewal, report), ref failures);
                Step(6, "Republishing CRLs", s => report = report with { CrlsPublished = RepublishCrls(s) }, ref failures);
                Step(7, "Sending notifications", s => report = report with { NotificationsSent = new NotificationOperations(Workspace, s).SendDue() }, ref failures);
            }
            catch (PscException ex)
            {
                Event(EventIds.MaintenancePassFailed, EventChannel.Admin, "The maintenance pass stopped: " + ex.Message, errorId: ex.ErrorId);
                throw;
            }
            finally { Sink.WriteProgress(new ProgressInfo(ProgressId, Activity, "Done", 100, Completed: true)); }
            report = report with { FinishedAt = DateTimeOffset.UtcNow, Failures = failures };
            var summary = $"Maintenance pass on {report.Host}: {report.Imports} imports, {report.Revocations} queued revocations done, {report.OrdersPolled} orders polled ({report.OrdersSettled} decided), " +
                          $"{report.CertificatesFetched} fetched, {report.RenewalsSubmitted} renewals submitted, {report.Renewed} renewed, {report.CrlsPublished} CRLs published, " +
                          $"{report.NotificationsSent} notifications sent, {report.Failures} failed, in {report.Duration.TotalSeconds:0.#} s.";
            if (failures > 0) Event(EventIds.MaintenancePassFinishedWithFailures, EventChannel.Admin, summary, outcome: EventOutcome.Retry);
            else Event(EventIds.MaintenancePassFinished, EventChannel.Operational, summary);
            Sink.WriteObject(report);
            return report;
        }

        private const int StepCount = 7;

        private void Step(int number, string status, Action<StepSink> work, ref int failures)
        {
            Sink.Cancellation.ThrowIfCancellationRequested();
            Sink.WriteProgress(new ProgressInfo(ProgressId, Activity, status, (number - 1) * 100 / StepCount));
            var step = new StepSink(Sink);
            work(step);
            failures += step.Errors;
        }

        private MaintenanceReport Poll(StepSink sink, MaintenanceReport report)
        {
            var now = DateTimeOffset.UtcNow;
            var due = Workspace.Store.PendingOrdersDue(now);
            if (due.Count == 0) return report;
            new OrderOperations(Workspace, sink).Refresh(due);
            int settled = 0;
            foreach (var order in due)
            {
                var current = Workspace.Store.GetOrder(order.Id);
                if (current == null) continue;
                if (current.Status != SubmitStatus.Pending) { settled++; continue; }
                int attempts = current.PollAttempts + 1;
                Workspace.Store.SetNextPoll(current.Id, now + PollDelay(attempts), attempts);
            }
            return report with { OrdersPolled = due.Count, OrdersSettled = settled };
        }

        private MaintenanceReport FetchIssued(StepSink sink, RenewOptions renewal, MaintenanceReport report)
        {
            var orders = new OrderOperations(Workspace, sink);
            var issued = orders.Select(SubmitStatus.Issued, null, unfetchedOnly: true).Concat(orders.Select(SubmitStatus.IssuedOutOfBand, null, unfetchedOnly: true)).ToList();
            int fetched = 0, renewed = 0;
            foreach (var order in issued)
            {
                // Fetching and finishing a renewal happen once: a second pass at the same moment passes the order over.
                var unit = RenewalOperations.FinishUnit(order.Id);
                if (!Workspace.Store.TryClaimWork(unit, "orders", order.Id, RenewalOperations.FinishLease, () => Workspace.Store.GetOrder(order.Id) is { FetchedAt: null })) continue;
                try
                {
                    var one = new StepSink(sink);
                    new OrderOperations(Workspace, one).Fetch(new[] { order });
                    if (one.Objects.OfType<CertificateRecord>().FirstOrDefault() is not { } certificate) continue;
                    fetched++;
                    if (order.Renews != null && new RenewalOperations(Workspace, new StepSink(sink)).FinishFetched(order, certificate, renewal) != null) renewed++;
                }
                finally { Workspace.Store.ReleaseWork(unit); }
            }
            // Renewals fetched before whose deployment did not finish (a PFX password was missing, the process stopped): again.
            foreach (var order in Workspace.Store.RenewalsToFinish())
            {
                var unit = RenewalOperations.FinishUnit(order.Id);
                if (!Workspace.Store.TryClaimWork(unit, "orders", order.Id, RenewalOperations.FinishLease, () => Workspace.Store.GetOrder(order.Id) is { FinishedAt: null })) continue;
                try
                {
                    var successor = order.Thumbprint == null ? null : Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = order.Thumbprint }).FirstOrDefault();
                    if (successor == null) { Workspace.Store.MarkRenewalFinished(order.Id); continue; } // removed from the inventory: nothing to deploy
                    if (new RenewalOperations(Workspace, new StepSink(sink)).FinishFetched(order, successor, renewal) != null
                        && Workspace.Store.GetOrder(order.Id) is { FinishedAt: not null }) renewed++;
                }
                finally { Workspace.Store.ReleaseWork(unit); }
            }
            return report with { CertificatesFetched = report.CertificatesFetched + fetched, Renewed = report.Renewed + renewed };
        }

        private MaintenanceReport RenewDue(StepSink sink, RenewOptions renewal, MaintenanceReport report)
        {
            var store = Workspace.Store;
            var connectors = store.ListConnectors().ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
            var due = new InventoryOperations(Workspace, sink).QueryWithRenewal(new CertificateQuery { NeedsRenewal = true })
                .Where(c => c.Source == CertificateSource.Enrolled && connectors.TryGetValue(c.Connector, out var d) && RenewalPolicy.AutoRenews(d)
                            && store.OpenRenewalOrder(c.Thumbprint) == null)
                .ToList();
            // A renewal the CA denied (or that failed) waits for a person: submitting it again every pass would make a new key
            // and a new request each time, and a CA manager would deny them all. Renewing it by hand starts again.
            foreach (var refused in due.Where(c => store.LatestRenewalOrder(c.Thumbprint) is { Status: SubmitStatus.Denied or SubmitStatus.Failed }).ToList())
            {
                due.Remove(refused);
                var order = store.LatestRenewalOrder(refused.Thumbprint)!;
                sink.WriteVerbose($"Certificate {refused.SerialNumber} is not renewed on its own: its renewal (order {order.Id}) was {order.Status.ToString().ToLowerInvariant()}; renew it by hand once the cause is fixed.");
            }
            foreach (var eager in due.Where(c => RenewalPolicy.DueFromIssue(c.NotBefore, c.NotAfter, c.RenewalDueFrom!.Value)).ToList())
            {
                due.Remove(eager);
                var why = $"Certificate {eager.SerialNumber} ('{eager.Subject}') is not renewed on its own: the renewal policy of connector '{eager.Connector}' makes it due from the moment it was issued " +
                          $"(due from {eager.RenewalDueFrom:u}, valid {eager.NotBefore:u} to {eager.NotAfter:u}), so each successor would be due at once and renewed on every pass. " +
                          $"Shorten renewBeforeDays below the template's validity, or renew it by hand.";
                sink.WriteWarning(why);
                Event(EventIds.RenewalFailed, EventChannel.Operational, why, eager.Connector, eager.SerialNumber, "RenewalPolicyTooEager", EventOutcome.Info);
            }
            if (due.Count == 0) return report;
            var renewals = new RenewalOperations(Workspace, sink);
            int position = 0;
            foreach (var certificate in due)
            {
                var unit = "renew:" + certificate.Id.ToString(CultureInfo.InvariantCulture);
                bool claimed = store.TryClaimWork(unit, "certificates", certificate.Id, RenewalLease,
                    () => store.OpenRenewalOrder(certificate.Thumbprint) == null
                          && store.QueryCertificates(new CertificateQuery { Thumbprint = certificate.Thumbprint }).FirstOrDefault() is { RenewedBy: null });
                if (!claimed)
                {
                    sink.WriteVerbose($"Certificate {certificate.SerialNumber} is being renewed by another process, or was just renewed; passed over.");
                    continue;
                }
                try { renewals.RenewNext(new CertificateSelector(null, certificate.Thumbprint, certificate.Connector), renewal, position++, due.Count); }
                finally { store.ReleaseWork(unit); }
            }
            renewals.FinishProgress(position, due.Count);
            var results = sink.Objects.OfType<RenewalResult>().ToList();
            return report with { RenewalsSubmitted = results.Count, Renewed = report.Renewed + results.Count(r => r.Thumbprint != null) };
        }

        private int RepublishCrls(StepSink sink)
        {
            int published = 0;
            foreach (var definition in Workspace.Store.ListConnectors().Where(c => c.Type.Equals(LocalConnector.TypeName, StringComparison.OrdinalIgnoreCase)))
            {
                var unit = "crl:" + definition.Id.ToString(CultureInfo.InvariantCulture);
                ForItem(definition.Name, () =>
                {
                    if (Workspace.Connect(definition) is not LocalConnector local) return;
                    if (!sink.ShouldProcess($"CRL of embedded CA '{definition.Name}' (when half its validity is gone)", "Republish")) return;
                    if (!Workspace.Store.TryClaimWork(unit, "connectors", definition.Id, CrlLease, () => true)) return;
                    try
                    {
                        if (local.Authority.PublishCrlIfDue(DateTimeOffset.UtcNow) == null) return;
                        published++;
                        Event(EventIds.CrlPublished, EventChannel.Operational, $"The embedded CA '{definition.Name}' published a new CRL before the last one lapsed.", definition.Name);
                    }
                    finally { Workspace.Store.ReleaseWork(unit); }
                }, EventIds.CrlPublishFailed, definition.Name);
            }
            return published;
        }
    }
}
