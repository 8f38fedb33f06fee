using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// Imports a CA's issued and revoked certificates into the inventory, page by page. Each page and the
    /// watermark that follows it are stored in one transaction, so an interrupted import resumes where the
    /// last stored page ended and never skips a row.
    /// </summary>
    public sealed class ImportOperation : OperationBase
    {
        public ImportOperation(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        public void Import(IEnumerable<string> connectorNames, ImportOptions options)
        {
            foreach (var name in connectorNames) ForItem(name, () => ImportOne(name, options, lease: null));
        }

        /// <summary>
        /// Imports every connector whose import is due by its frequency (never imported, or its last finished import is one
        /// interval old), each under a lease, so that hosts sharing the inventory each take different connectors and none
        /// imports one another already did. A host killed mid-import leaves its lease to expire; the next host to find the
        /// connector due takes it over and resumes from the stored watermark.
        /// </summary>
        public void ImportDue(ImportOptions options, TimeSpan leaseDuration)
        {
            if (leaseDuration < TimeSpan.FromSeconds(1) || leaseDuration > TimeSpan.FromDays(1))
                throw new PscException("InvalidLease", FailureCategory.InvalidArgument, $"The lease {leaseDuration} should be between 1 second and 1 day.");
            var store = Workspace.Store;
            var due = store.ListConnectors().Where(c => IsDue(c, DateTimeOffset.UtcNow)).ToList();
            if (due.Count == 0) Sink.WriteVerbose("No connector's import is due.");
            foreach (var waiting in store.ListConnectors().Where(c => c.ImportEnabled && due.All(d => d.Id != c.Id)))
                Event(EventIds.ImportNotDue, EventChannel.Operational, $"The import of '{waiting.Name}' is not due until {waiting.NextImportAt:u}.", waiting.Name, outcome: EventOutcome.Info);
            foreach (var candidate in due)
            {
                var unit = "import:" + candidate.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!Sink.ShouldProcess($"certificates of connector '{candidate.Name}' (due import)", "Import")) continue;
                bool claimed = store.TryClaimWork(unit, "connectors", candidate.Id, leaseDuration,
                    () => store.GetConnector(candidate.Name) is { } now && IsDue(now, DateTimeOffset.UtcNow));
                if (!claimed)
                {
                    Sink.WriteVerbose($"Connector '{candidate.Name}' is being imported by another host, or was just imported; passed over.");
                    Event(EventIds.ImportTakenElsewhere, EventChannel.Operational, $"The import of '{candidate.Name}' is being done by another process, or was just done; passed over.",
                        candidate.Name, outcome: EventOutcome.Info);
                    continue;
                }
                try { ForItem(candidate.Name, () => ImportOne(candidate.Name, options, new Lease(unit, leaseDuration))); }
                finally { store.ReleaseWork(unit); }
            }
        }

        /// <summary>Due when import is on and the last finished import is at least one interval old (or there was none).</summary>
        public static bool IsDue(ConnectorDefinition connector, DateTimeOffset now) => connector.NextImportAt is { } next && (connector.LastImportAt == null || next <= now);

        private sealed record Lease(string Unit, TimeSpan Duration);

        /// <summary>The connector's cached templates by name and by OID, each giving the other, so that a selection may name either.</summary>
        /// <remarks>
        /// The templates are fetched when none are cached: AD CS records a version 2 template in its database (and the
        /// certificate in its extension) by OID, so a selection by name would otherwise match none of them.
        /// </remarks>
        private IReadOnlyDictionary<string, string> TemplateNamesAndOids(ConnectorDefinition definition, ImportSelection selection)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            IReadOnlyList<CaTemplate> templates;
            try { templates = new TemplateOperations(Workspace, new SinkWithoutObjects(Sink)).Load(definition, refresh: false).Select(t => t.Template).ToList(); }
            catch (PscException ex)
            {
                Sink.WriteWarning($"The templates of '{definition.Name}' could not be read ({ex.Message}); the selection matches templates only by the name or OID it gives.");
                templates = Array.Empty<CaTemplate>();
            }
            foreach (var template in templates.Where(t => t.Oid != null))
            {
                map[template.Name] = template.Oid!;
                map[template.Oid!] = template.Name;
            }
            foreach (var unknown in selection.Templates.Where(t => templates.Count > 0 && !templates.Any(k => k.Name.Equals(t, StringComparison.OrdinalIgnoreCase) || k.Oid == t)))
                Sink.WriteWarning($"Connector '{definition.Name}' lists no template '{unknown}'; the selection takes no certificate of it unless a certificate names it so.");
            return map;
        }

        /// <summary>
        /// What an import would do, for -WhatIf: the CA's certificates from the watermark on, read and counted against the
        /// selection and the inventory, and nothing stored (the watermark stays).
        /// </summary>
        private void Preview(ConnectorDefinition definition, ICaConnector connector, string? start, ImportSelection selection, Func<IssuedCertificate, bool> selected, ImportOptions options)
        {
            var store = Workspace.Store;
            int added = 0, stored = 0, leftOut = 0, unreadable = 0, pages = 0;
            string? cursor = start;
            var activity = $"Previewing the import from '{definition.Name}'";
            while (true)
            {
                Sink.Cancellation.ThrowIfCancellationRequested();
                var page = connector.EnumerateIssued(cursor, options.BatchSize, Sink.Cancellation);
                foreach (var item in page.Items)
                {
                    Pkix.CertificateDetails details;
                    try { details = Pkix.CertificateReader.Read(item.Certificate); }
                    catch (PscException) { unreadable++; continue; }
                    if (store.HoldsCertificate(details.IssuerKey, details.SerialNumber)) stored++;
                    else if (selected(item)) added++;
                    else leftOut++;
                }
                pages++;
                Sink.WriteProgress(new ProgressInfo(1, activity, $"{added} would be added ({pages} pages)", -1));
                if (!page.HasMore || page.Cursor == cursor || pages >= options.MaxPages) break;
                cursor = page.Cursor;
            }
            Sink.WriteProgress(new ProgressInfo(1, activity, "Done", 100, Completed: true));
            Sink.WriteObject(new ImportPreview(definition.Name, selection.Describe(), added, stored, leftOut, unreadable));
        }

        private void ImportOne(string name, ImportOptions options, Lease? lease)
        {
            if (options.BatchSize < 1 || options.BatchSize > 100_000)
                throw new PscException("InvalidBatchSize", FailureCategory.InvalidArgument, $"The batch size {options.BatchSize} should be between 1 and 100000.");
            var definition = Workspace.RequireConnector(name);
            var connector = Workspace.Connect(definition);
            if ((connector.Capabilities & ConnectorCapabilities.EnumerateIssued) == 0)
                connector.EnumerateIssued(null, 1, Sink.Cancellation); // throws the typed capability error
            var start = options.Mode == ImportMode.Full ? null : definition.ImportWatermark;
            var selection = ImportSelection.FromSettings(definition.Settings).OverriddenBy(options.Selection);
            var templateOids = selection.Templates.Count == 0 ? new Dictionary<string, string>() : TemplateNamesAndOids(definition, selection);
            var matches = selection.Matcher(DateTimeOffset.UtcNow, templateOids);
            bool Selected(IssuedCertificate item)
            {
                if (selection.IsEmpty) return true;
                try { return matches(item, Pkix.CertificateReader.Read(item.Certificate)); }
                catch (PscException) { return true; } // stored as usual, so that the writer reports it as unreadable
            }
            if (lease == null && !Sink.ShouldProcess($"certificates of connector '{definition.Name}' ({options.Mode.ToString().ToLowerInvariant()}, from watermark {start ?? "start"}, selecting {selection.Describe()})", "Import"))
            {
                Preview(definition, connector, start, selection, Selected, options);
                return;
            }

            var businessUnit = options.BusinessUnit ?? definition.BusinessUnit;
            var tags = definition.Tags.Concat(options.Tags).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var store = Workspace.Store;
            long runId = store.StartImportRun(definition.Name, options.Mode, start);
            string? cursor = start;
            int imported = 0, updated = 0, skipped = 0, excluded = 0, pages = 0;
            var activity = $"Importing certificates from '{definition.Name}'";
            // A bulk import (once it has added as many certificates as the inventory held, and more pages follow) sets the
            // serial and thumbprint indexes aside and builds them at its end: building them costs less than inserting into
            // them row by row. Opening the inventory builds them again should this process be killed in between.
            int heldBefore = store.CountCertificates();
            bool indexesDropped = false;
            try
            {
                while (true)
                {
                    Sink.Cancellation.ThrowIfCancellationRequested();
                    var page = connector.EnumerateIssued(cursor, options.BatchSize, Sink.Cancellation);
                    store.InTransaction(() =>
                    {
                        var results = store.UpsertCertificates(page.Items.Select(item => new InventoryStore.CertificateUpsert(item.Certificate, definition.Name,
                            CertificateSource.Imported, item.Template, item.RequestId, businessUnit, tags, item.RevokedAt, item.RevocationReason, UpdateOnly: !Selected(item))).ToList());
                        for (int i = 0; i < results.Count; i++)
                        {
                            // A row the CA holds but we cannot read is reported and passed over, so that it cannot stop every later import.
                            if (results[i].Error is { } error)
                            {
                                Sink.WriteError(error, $"request {page.Items[i].RequestId} on '{definition.Name}'");
                                skipped++;
                            }
                            else if (results[i].Outcome == InventoryStore.UpsertOutcome.Inserted) imported++;
                            else if (results[i].Outcome == InventoryStore.UpsertOutcome.Updated) updated++;
                            else if (results[i].Outcome == InventoryStore.UpsertOutcome.Excluded) excluded++;
                        }
                        store.SetImportWatermark(definition.Name, page.Cursor);
                        store.UpdateImportRun(runId, page.Cursor, imported, updated);
                        if (lease != null && !store.ExtendWork(lease.Unit, lease.Duration))
                            throw new PscException("LeaseLost", FailureCategory.OperationTimeout,
                                $"The import of '{definition.Name}' took longer than its lease ({lease.Duration}) between two pages, and another host took it over: this host stopped without storing that page. The pages stored before it are kept.");
                        return 0;
                    });
                    pages++;
                    Sink.WriteProgress(new ProgressInfo(1, activity, $"{imported} new, {updated} updated{(selection.IsEmpty ? "" : $", {excluded} left out")} ({pages} pages)", -1));
                    if (!page.HasMore) break;
                    if (!indexesDropped && imported >= Math.Max(heldBefore, options.BatchSize))
                    {
                        indexesDropped = store.DropCertificateLookupIndexes();
                    }
                    if (page.Cursor == cursor)
                        throw new PscException("ImportCursorStuck", FailureCategory.InvalidData,
                            $"Connector '{definition.Name}' returned the same cursor twice ({cursor}); the import stopped to avoid a loop. Stored pages are kept.");
                    if (pages >= options.MaxPages)
                        throw new PscException("ImportPageLimit", FailureCategory.InvalidData,
                            $"Connector '{definition.Name}' was still paging after {pages} pages; the import stopped. Stored pages are kept; run it again to continue.");
                    cursor = page.Cursor;
                }
                store.InTransaction(() =>
                {
                    var notes = new List<string>();
                    if (skipped > 0) notes.Add($"{skipped} certificate(s) could not be read and were skipped.");
                    if (!selection.IsEmpty) notes.Add($"{excluded} certificate(s) left out by the selection ({selection.Describe()}).");
                    store.FinishImportRun(runId, ImportRunStatus.Succeeded, notes.Count > 0 ? string.Join(" ", notes) : null);
                    store.SetLastImport(definition.Name, DateTimeOffset.UtcNow);
                    return 0;
                });
                Event(EventIds.ImportSucceeded, EventChannel.Admin,
                    $"Imported from '{definition.Name}' ({options.Mode.ToString().ToLowerInvariant()}): {imported} new, {updated} updated, {skipped} unreadable, " +
                    (selection.IsEmpty ? "" : $"{excluded} left out by the selection ({selection.Describe()}), ") + $"in {pages} page(s).",
                    definition.Name, runId);
            }
            catch (OperationCanceledException)
            {
                store.FinishImportRun(runId, ImportRunStatus.Cancelled, "Stopped by the user; the next incremental import resumes from the stored watermark.");
                throw;
            }
            catch (Exception ex)
            {
                store.FinishImportRun(runId, ImportRunStatus.Failed, ex.Message);
                Event(EventIds.ImportFailed, EventChannel.Admin,
                    $"The import from '{definition.Name}' failed after {imported} new and {updated} updated certificate(s): {ex.Message} The stored pages are kept; the next import resumes from the watermark.",
                    definition.Name, runId, (ex as PscException)?.ErrorId ?? "ImportFailed");
                throw;
            }
            finally
            {
                if (indexesDropped)
                {
                    var building = System.Diagnostics.Stopwatch.StartNew();
                    store.EnsureCertificateLookupIndexes();
                    Sink.WriteVerbose($"Built the serial and thumbprint indexes of {imported + heldBefore} certificates in {building.Elapsed.TotalSeconds:0.0} s.");
                }
                Sink.WriteProgress(new ProgressInfo(1, activity, "Done", 100, Completed: true));
            }
            Sink.WriteObject(store.ListImportRuns(definition.Name).Last(r => r.Id == runId));
        }
    }
}
