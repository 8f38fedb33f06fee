using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PSCertConnector.Core;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Configuration;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Notifications;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli
{
    /// <summary>
    /// How each result type looks: a stable camelCase JSON shape, and a table a person reads at a glance.
    /// The JSON field names are part of the CLI's contract.
    /// </summary>
    internal static class Views
    {
        private static readonly JsonSerializerOptions Json = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };

        public static string ToJson(IEnumerable<object> items, bool single)
        {
            var shaped = items.Select(Shape).ToList();
            return JsonSerializer.Serialize(single && shaped.Count == 1 ? shaped[0] : shaped, Json);
        }

        public static object Shape(object item) => item switch
        {
            ConnectorDefinition c => new
            {
                name = c.Name, type = c.Type, domain = c.Domain, businessUnit = c.BusinessUnit, tags = c.Tags, priority = c.Priority,
                importEnabled = c.ImportEnabled, importEvery = c.ImportEvery, importEveryUnit = c.ImportEveryUnit, settings = c.Settings,
                hasSecret = c.HasSecret, hasProxyCredential = c.HasProxyCredential, importSelection = Core.Connectors.ImportSelection.FromSettings(c.Settings).Describe(), importWatermark = c.ImportWatermark, lastImportAt = c.LastImportAt, lastImportStatus = c.LastImportStatus, nextImportAt = c.NextImportAt, createdAt = c.CreatedAt, updatedAt = c.UpdatedAt,
            },
            TemplateRecord t => new
            {
                connector = t.Connector, name = t.Name, displayName = t.DisplayName, oid = t.Template.Oid, schemaVersion = t.Template.SchemaVersion,
                validityDays = t.ValidityDays, renewalDays = (int)t.Template.RenewalPeriod.TotalDays, minimumKeySize = t.Template.MinimumKeySize,
                requiresApproval = t.RequiresApproval, extendedKeyUsages = t.Template.ExtendedKeyUsages, refreshedAt = t.RefreshedAt,
            },
            EnrollmentServiceRecord e => new
            {
                connector = e.Connector, caSubject = e.CaSubject, uri = e.Uri, authentication = e.Authentication, priority = e.Priority,
                renewalOnly = e.RenewalOnly, refreshedAt = e.RefreshedAt,
            },
            OrderRecord o => new
            {
                id = o.Id, connector = o.Connector, domain = o.Domain, requestId = o.RequestId, commonName = o.CommonName, template = o.Template,
                status = o.Status, dispositionMessage = o.DispositionMessage, hresult = o.HResult == 0 ? null : "0x" + o.HResult.ToString("X8"),
                serialNumber = o.SerialNumber, thumbprint = o.Thumbprint, createdAt = o.CreatedAt, updatedAt = o.UpdatedAt, fetchedAt = o.FetchedAt,
                renews = o.Renews, approvalFindings = o.ApprovalFindings.Select(f => new { rule = f.Rule, message = f.Message }).ToList(),
            },
            CertificateRecord c => new
            {
                connector = c.Connector, serialNumber = c.SerialNumber, thumbprint = c.Thumbprint, thumbprintSha256 = c.ThumbprintSha256,
                subject = c.Subject, commonName = c.CommonName, subjectAlternativeNames = c.SubjectAlternativeNames, issuer = c.Issuer,
                notBefore = c.NotBefore, notAfter = c.NotAfter, daysToExpiry = c.DaysToExpiry, status = c.Status, revokedAt = c.RevokedAt,
                revocationReason = c.RevocationReason, template = c.Template, businessUnit = c.BusinessUnit, tags = c.Tags, source = c.Source,
                requestId = c.RequestId, hasPrivateKey = c.HasPrivateKey,
                renewalDueFrom = c.RenewalDueFrom, needsRenewal = c.NeedsRenewal, renews = c.Renews, renewedBy = c.RenewedBy,
            },
            MaintenanceReport m => new
            {
                host = m.Host, startedAt = m.StartedAt, finishedAt = m.FinishedAt, imports = m.Imports, revocations = m.Revocations, ordersPolled = m.OrdersPolled, ordersSettled = m.OrdersSettled,
                certificatesFetched = m.CertificatesFetched, renewalsSubmitted = m.RenewalsSubmitted, renewed = m.Renewed, crlsPublished = m.CrlsPublished,
                notificationsSent = m.NotificationsSent, failures = m.Failures, didNothing = m.DidNothing,
            },
            CaEvent e => new
            {
                time = e.Time, id = e.Id, level = e.Level, log = e.Log, area = e.Area, outcome = e.Outcome, message = e.Message, connector = e.Connector,
                target = e.Target, errorId = e.ErrorId, host = e.Host, processId = e.ProcessId,
            },
            ConfigurationChange c => new { kind = c.Kind, name = c.Name, action = c.Action },
            NotificationRule n => new
            {
                name = n.Name, channel = n.Channel, target = n.Target, triggers = new
                {
                    expiringDays = n.Triggers.ExpiringDays, pendingOlderThanHours = n.Triggers.PendingOlderThanHours, issued = n.Triggers.Issued, denied = n.Triggers.Denied,
                    importFailed = n.Triggers.ImportFailed, crlWithinHours = n.Triggers.CrlWithinHours,
                },
                connector = n.Connector, digest = n.Digest, settings = n.Settings, hasSecret = n.HasSecret, createdAt = n.CreatedAt, updatedAt = n.UpdatedAt,
            },
            RenewalResult r => new
            {
                connector = r.Connector, subject = r.Subject, commonName = r.CommonName, renews = r.Renews, renewsSerialNumber = r.RenewsSerialNumber,
                orderId = r.OrderId, requestId = r.RequestId, status = r.Status, dispositionMessage = r.DispositionMessage, template = r.Template,
                keyReused = r.KeyReused, signedWithOldKey = r.SignedWithOldKey, thumbprint = r.Thumbprint, serialNumber = r.SerialNumber, notAfter = r.NotAfter, deployedTo = r.DeployedTo, predecessorRevoked = r.PredecessorRevoked,
            },
            CertificateRequestResult r => new
            {
                keyId = r.KeyId, subject = r.Subject, commonName = r.CommonName, keyAlgorithm = r.KeyAlgorithm, keyLength = r.KeyLength,
                template = r.Template, requestAttributes = r.RequestAttributes, notes = r.Notes, csr = r.CsrPem,
            },
            ImportRunRecord i => new
            {
                id = i.Id, connector = i.Connector, mode = i.Mode, status = i.Status, imported = i.Imported, updated = i.Updated,
                startWatermark = i.StartWatermark, endWatermark = i.EndWatermark, startedAt = i.StartedAt, finishedAt = i.FinishedAt, error = i.Error,
            },
            ImportPreview p => new { connector = p.Connector, selection = p.Selection, wouldAdd = p.WouldAdd, alreadyStored = p.AlreadyStored, leftOut = p.LeftOut, unreadable = p.Unreadable },
            System.IO.FileInfo f => new { path = f.FullName, bytes = f.Length },
            StoreStatus t => new
            {
                engine = t.Engine, location = t.Location, source = t.Source, schemaVersion = t.SchemaVersion, latestSchemaVersion = t.LatestSchemaVersion,
                pendingMigrations = t.PendingMigrations, storeSecretKey = t.StoreSecretKey, hostSecretKey = t.HostSecretKey, keyFile = t.KeyFile,
                connectors = t.Connectors, certificates = t.Certificates, orders = t.Orders, activeLeases = t.ActiveLeases,
            },
            ConnectorTestReport t => new { connector = t.Connector, type = t.Type, success = t.Success, message = t.Message, elapsedMilliseconds = t.ElapsedMilliseconds, route = t.Route },
            CrlReport r => new
            {
                connector = r.Connector, issuer = r.Issuer, crlNumber = r.CrlNumber, thisUpdate = r.ThisUpdate, nextUpdate = r.NextUpdate,
                signatureValid = r.SignatureValid, entryCount = r.Entries.Count,
                entries = r.Entries.Select(e => new { serialNumber = e.SerialNumber, revokedAt = e.RevokedAt, reason = e.Reason }),
            },
            AdEnrollmentService a => new
            {
                name = a.Name, displayName = a.DisplayName, dnsHostName = a.DnsHostName, config = a.Config, caSubject = a.CaSubject,
                caThumbprint = a.CaThumbprint, templates = a.Templates, distinguishedName = a.DistinguishedName,
                endpoints = a.Endpoints.Select(e => new { priority = e.Priority, authentication = e.Authentication, renewalOnly = e.RenewalOnly, uri = e.Uri }),
            },
            CaTemplate t => new
            {
                name = t.Name, displayName = t.DisplayName, oid = t.Oid, schemaVersion = t.SchemaVersion, majorRevision = t.MajorRevision, minorRevision = t.MinorRevision,
                validityDays = (int)t.Validity.TotalDays, renewalDays = (int)t.RenewalPeriod.TotalDays, minimumKeySize = t.MinimumKeySize,
                requiresApproval = t.RequiresApproval, subjectFromRequest = t.SubjectFromRequest, extendedKeyUsages = t.ExtendedKeyUsages,
                enrollmentFlags = t.EnrollmentFlags, subjectNameFlags = t.SubjectNameFlags, privateKeyFlags = t.PrivateKeyFlags, generalFlags = t.GeneralFlags,
            },
            ExportedCertificate e => new { serialNumber = e.Certificate.SerialNumber, format = e.Format, bytes = e.Content.Length, includesPrivateKey = e.IncludesPrivateKey },
            _ => item,
        };

        public static string ToTable(IReadOnlyList<object> items)
        {
            if (items.Count == 0) return "";
            var sb = new StringBuilder();
            foreach (var group in items.GroupBy(i => i.GetType()))
            {
                var (headers, rows) = Columns(group.ToList());
                sb.Append(Table(headers, rows));
            }
            return sb.ToString();
        }

        private static (string[] Headers, List<string[]> Rows) Columns(List<object> items) => items[0] switch
        {
            ConnectorDefinition => (new[] { "Name", "Type", "Priority", "BusinessUnit", "Tags", "Import", "LastImport", "Result", "NextImport" },
                items.Cast<ConnectorDefinition>().Select(c => new[]
                {
                    c.Name, c.Type, c.Priority.ToString(), c.BusinessUnit ?? "", string.Join(",", c.Tags),
                    c.ImportEnabled ? $"every {c.ImportEvery} {c.ImportEveryUnit.ToString().ToLowerInvariant()}" : "off", Date(c.LastImportAt),
                    c.LastImportStatus?.ToString() ?? "", c.LastImportAt == null && c.ImportEnabled ? "now" : Date(c.NextImportAt),
                }).ToList()),
            MaintenanceReport => (new[] { "Host", "Imports", "Revoked", "Polled", "Decided", "Fetched", "RenewalsSubmitted", "Renewed", "CRLs", "Notified", "Failed", "Seconds" },
                items.Cast<MaintenanceReport>().Select(m => new[]
                {
                    m.Host, m.Imports.ToString(), m.Revocations.ToString(), m.OrdersPolled.ToString(), m.OrdersSettled.ToString(), m.CertificatesFetched.ToString(), m.RenewalsSubmitted.ToString(),
                    m.Renewed.ToString(), m.CrlsPublished.ToString(), m.NotificationsSent.ToString(), m.Failures.ToString(), m.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
                }).ToList()),
            CaEvent => (new[] { "Time", "Id", "Level", "Log", "Connector", "Target", "Message" },
                items.Cast<CaEvent>().Select(e => new[]
                {
                    e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), e.Id.ToString(), e.Level.ToString(), e.Log.ToString(), e.Connector ?? "", e.Target ?? "", e.Message,
                }).ToList()),
            ConfigurationChange => (new[] { "Kind", "Name", "Action" },
                items.Cast<ConfigurationChange>().Select(c => new[] { c.Kind, c.Name, c.Action.ToString() }).ToList()),
            NotificationRule => (new[] { "Name", "Channel", "Target", "Tells", "Connector", "Digest" },
                items.Cast<NotificationRule>().Select(n => new[] { n.Name, n.Channel.ToString(), n.Target, n.Triggers.ToString(), n.Connector ?? "(all)", n.Digest ? "yes" : "no" }).ToList()),
            TemplateRecord => (new[] { "Name", "DisplayName", "Validity", "MinKey", "Approval", "EKU" },
                items.Cast<TemplateRecord>().Select(t => new[]
                {
                    t.Name, t.DisplayName, $"{t.ValidityDays}d", t.Template.MinimumKeySize.ToString(), t.RequiresApproval ? "manager" : "-",
                    string.Join(",", t.Template.ExtendedKeyUsages.Select(Ekus.Name)),
                }).ToList()),
            EnrollmentServiceRecord => (new[] { "Priority", "Authentication", "RenewalOnly", "Uri", "CA" },
                items.Cast<EnrollmentServiceRecord>().Select(e => new[]
                {
                    e.Priority.ToString(), e.Authentication, e.RenewalOnly ? "yes" : "no", e.Uri, e.CaSubject,
                }).ToList()),
            AdEnrollmentService => (new[] { "CA", "Host", "Templates", "CES endpoints (priority auth)" },
                items.Cast<AdEnrollmentService>().Select(a => new[]
                {
                    a.Name, a.DnsHostName, a.Templates.Count.ToString(),
                    a.Endpoints.Count == 0 ? "none" : string.Join(" ", a.Endpoints.Select(e => $"{e.Priority}:{e.Authentication}{(e.RenewalOnly ? "(renewal)" : "")}")),
                }).ToList()),
            CaTemplate => (new[] { "Name", "DisplayName", "Schema", "Validity", "MinKey", "Approval", "EKU" },
                items.Cast<CaTemplate>().Select(t => new[]
                {
                    t.Name, t.DisplayName, t.SchemaVersion.ToString(), $"{(int)t.Validity.TotalDays}d", t.MinimumKeySize.ToString(), t.RequiresApproval ? "manager" : "-",
                    string.Join(",", t.ExtendedKeyUsages.Select(Ekus.Name)),
                }).ToList()),
            OrderRecord => (new[] { "Id", "Connector", "RequestId", "CommonName", "Template", "Status", "Fetched", "Created", "Checks" },
                items.Cast<OrderRecord>().Select(o => new[]
                {
                    o.Id.ToString(), o.Connector, o.RequestId ?? "", o.CommonName ?? "", o.Template, o.Status.ToString(),
                    o.FetchedAt.HasValue ? "yes" : "no", Date(o.CreatedAt), string.Join(", ", o.ApprovalFindings.Select(f => f.Rule)),
                }).ToList()),
            CertificateRecord => (new[] { "CommonName", "Serial", "Expires", "Days", "Status", "Template", "Connector", "BU", "Tags" },
                items.Cast<CertificateRecord>().Select(c => new[]
                {
                    c.CommonName ?? c.Subject, c.SerialNumber, Date(c.NotAfter), c.DaysToExpiry.ToString(),
                    c.Status == CertificateStatus.Revoked ? $"Revoked ({c.RevocationReason})" : c.Status.ToString(),
                    c.Template ?? "", c.Connector, c.BusinessUnit ?? "", string.Join(",", c.Tags),
                }).ToList()),
            RenewalResult => (new[] { "CommonName", "Renews", "Order", "Status", "Serial", "Expires", "OldRevoked" },
                items.Cast<RenewalResult>().Select(r => new[]
                {
                    r.CommonName ?? r.Subject, r.RenewsSerialNumber, r.OrderId.ToString(), r.Status.ToString(), r.SerialNumber ?? "", Date(r.NotAfter),
                    r.PredecessorRevoked ? "yes" : "no",
                }).ToList()),
            ImportRunRecord => (new[] { "Connector", "Mode", "Status", "New", "Updated", "Watermark", "Finished" },
                items.Cast<ImportRunRecord>().Select(i => new[]
                {
                    i.Connector, i.Mode.ToString(), i.Status.ToString(), i.Imported.ToString(), i.Updated.ToString(), i.EndWatermark ?? "", Date(i.FinishedAt),
                }).ToList()),
            ImportPreview => (new[] { "Connector", "WouldAdd", "AlreadyStored", "LeftOut", "Unreadable", "Selection" },
                items.Cast<ImportPreview>().Select(p => new[] { p.Connector, p.WouldAdd.ToString(), p.AlreadyStored.ToString(), p.LeftOut.ToString(), p.Unreadable.ToString(), p.Selection }).ToList()),
            System.IO.FileInfo => (new[] { "Path", "Bytes" },
                items.Cast<System.IO.FileInfo>().Select(f => new[] { f.FullName, f.Length.ToString() }).ToList()),
            StoreStatus => (new[] { "Engine", "Location", "Source", "Schema", "Secrets", "Connectors", "Certificates", "Orders", "Leases" },
                items.Cast<StoreStatus>().Select(t => new[]
                {
                    t.Engine, t.Location, t.Source, t.PendingMigrations > 0 ? $"{t.SchemaVersion} ({t.PendingMigrations} to migrate)" : t.SchemaVersion.ToString(),
                    t.HostSecretKey == null ? "home key" : t.StoreSecretKey == null || t.StoreSecretKey == t.HostSecretKey ? "shared key (this host has it)" : "ANOTHER KEY: this host cannot read them",
                    t.Connectors.ToString(), t.Certificates.ToString(), t.Orders.ToString(), t.ActiveLeases.ToString(),
                }).ToList()),
            RevocationRequest => (new[] { "Id", "Serial", "Connector", "Subject", "Reason", "Status", "Attempts", "Next", "Message" },
                items.Cast<RevocationRequest>().Select(r => new[]
                {
                    r.Id.ToString(), r.SerialNumber, r.Connector, r.Subject, r.Reason.ToString(), r.Status.ToString(), r.Attempts.ToString(),
                    r.Status == RevocationRequestStatus.Queued ? Date(r.NextAttemptAt) : "", r.LastError ?? "",
                }).ToList()),
            PfxIssuance => (new[] { "Order", "Status", "Subject", "Path", "Protection", "KeyArchived" },
                items.Cast<PfxIssuance>().Select(p => new[] { p.OrderId.ToString(), p.Status.ToString(), p.Subject, p.Path ?? "", p.Protection ?? p.Message ?? "", p.KeyArchived ? "yes" : "no" }).ToList()),
            PfxReencryption => (new[] { "Subject", "Serial", "Path", "Connector", "KeyArchived" },
                items.Cast<PfxReencryption>().Select(p => new[] { p.Subject, p.SerialNumber, p.Path, p.Connector, p.KeyArchived ? "yes" : "no" }).ToList()),
            ConnectorTestReport => (new[] { "Connector", "Type", "Result", "Ms", "Route", "Message" },
                items.Cast<ConnectorTestReport>().Select(t => new[] { t.Connector, t.Type, t.Success ? "OK" : "FAILED", t.ElapsedMilliseconds.ToString(), t.Route ?? "", t.Message }).ToList()),
            CertificateRequestResult => (new[] { "Subject", "Key", "Template", "KeyId" },
                items.Cast<CertificateRequestResult>().Select(r => new[] { r.Subject, $"{r.KeyAlgorithm} {r.KeyLength}", r.Template ?? "", r.KeyId.Substring(0, 16) }).ToList()),
            _ => (new[] { "Value" }, items.Select(i => new[] { i.ToString() ?? "" }).ToList()),
        };

        /// <summary>Columns shown whole: identifiers people copy (hex, so never long or unsafe) and addresses they open.</summary>
        private static readonly HashSet<string> Uncut = new(StringComparer.Ordinal) { "Serial", "Renews", "Thumbprint", "KeyId", "Id", "RequestId", "Uri" };
        /// <summary>A column's widest cell; longer text ends in an ellipsis (cert show and --json give it whole).</summary>
        public const int MaxColumnWidth = 48;
        private const int MaxMessageWidth = 100;

        private static string Table(string[] headers, List<string[]> rows)
        {
            // Escaped before measuring: an escape takes room, and a subject's control characters never reach the terminal.
            rows = rows.Select(r => r.Select((cell, i) => DisplayText.Escape(cell, Uncut.Contains(headers[i]) ? 0 : headers[i] == "Message" ? MaxMessageWidth : MaxColumnWidth)).ToArray()).ToList();
            var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
            var sb = new StringBuilder();
            void Line(IEnumerable<string> cells) =>
                sb.AppendLine(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
            Line(headers);
            Line(widths.Select(w => new string('-', w)));
            foreach (var row in rows) Line(row);
            return sb.ToString();
        }

        public static string Date(DateTimeOffset? value) =>
            value.HasValue ? value.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
    }
}
