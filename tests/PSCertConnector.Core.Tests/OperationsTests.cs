using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core.Connectors.Embedded;

namespace PSCertConnector.Core.Tests
{
    /// <summary>The operations behind every cmdlet and CLI command, driven through the sink as a cmdlet drives them, on the home's SQLite inventory.</summary>
    public class OperationsTests : IDisposable
    {
        private readonly TempHome _home = new();
        private readonly Workspace _ws;

        public OperationsTests() : this(null) { }

        protected string Engine => _ws.Store.Engine;

        protected OperationsTests(StoreSettings? store)
        {
            _ws = Workspace.Open(_home.Path, store: store);
            var sink = new RecordingSink();
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition
            {
                Name = "lab", Type = "local", BusinessUnit = "IT", Tags = new[] { "base" },
                Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" },
            }, null);
            sink.Errors.Should().BeEmpty();
        }

        public virtual void Dispose()
        {
            _ws.Dispose();
            _home.Dispose();
        }

        private CertificateRequestResult NewRequest(string cn, bool exportable = true)
        {
            var sink = new RecordingSink();
            new RequestOperations(_ws, sink).Build(new RequestSpec { Subject = "CN=" + cn, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256, Exportable = exportable });
            return sink.Single<CertificateRequestResult>();
        }

        private CertificateRecord Enroll(string cn, string template = "WebServer", bool exportable = true)
        {
            var sink = new RecordingSink();
            var orders = new OrderOperations(_ws, sink);
            var order = orders.Submit("lab", template, NewRequest(cn, exportable).Csr)!;
            orders.Fetch(new[] { order });
            sink.Errors.Should().BeEmpty();
            return sink.Single<CertificateRecord>();
        }

        [Fact]
        public void Bulk_renewal_shows_progress_and_one_unknown_serial_is_one_error_among_the_renewals()
        {
            var first = Enroll("bulk1");
            var second = Enroll("bulk2");
            var sink = new RecordingSink();
            var selectors = new[] { new CertificateSelector(first.SerialNumber, null, null), new CertificateSelector("0BADC0FFEE", null, null), new CertificateSelector(second.SerialNumber, null, null) };

            new RenewalOperations(_ws, sink).Renew(selectors, new RenewOptions(), selectors.Length);

            sink.Objects.OfType<RenewalResult>().Select(r => r.RenewsSerialNumber).Should().Equal(first.SerialNumber, second.SerialNumber);
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("CertificateNotFound");
            var progress = sink.Progress.Where(p => p.Activity == "Renewing certificates").ToList();
            progress.Select(p => p.PercentComplete).Should().Equal(0, 33, 66, 100);
            progress.Last().Completed.Should().BeTrue();
            progress[1].Status.Should().Contain("2 of 3");

            // Streaming from a pipeline: the total is not known, so no share is shown.
            var streamed = new RecordingSink();
            new RenewalOperations(_ws, streamed).RenewNext(new CertificateSelector(null, Enroll("bulk3").Thumbprint, null), new RenewOptions(), 4, null);
            streamed.Progress.Single(p => p.Activity == "Renewing certificates").PercentComplete.Should().Be(-1);
            streamed.Progress.Single(p => p.Activity == "Renewing certificates").Status.Should().Contain("(5)");
        }

        private int CountRows(string table) => _ws.Store.InTransaction(() =>
            table switch
            {
                "orders" => _ws.Store.QueryOrders(new OrderQuery()).Count,
                "certificates" => _ws.Store.CountCertificates(),
                "connectors" => _ws.Store.ListConnectors().Count,
                _ => throw new ArgumentException(table),
            });

        [Fact]
        public void Existing_connector_name_is_refused_and_nothing_changes()
        {
            var sink = new RecordingSink();
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition { Name = "LAB", Type = "local" }, null);
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("ConnectorExists");
            CountRows("connectors").Should().Be(1);
        }

        [Fact]
        public void A_credential_for_a_connector_without_accounts_is_refused_by_name_and_nothing_is_made()
        {
            var sink = new RecordingSink();
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition { Name = "lab2", Type = "local" }, System.Text.Encoding.UTF8.GetBytes("u\np"), user: "u");
            var error = sink.Errors.Should().ContainSingle().Subject;
            error.ErrorId.Should().Be("CredentialNotApplicable");
            error.Message.Should().Contain("'local'").And.NotContain("setting 'user'", "the user never gave a 'user' setting");
            CountRows("connectors").Should().Be(1);
        }

        [Theory]
        [InlineData("bad name", "local", 5, "InvalidConnectorName")]
        [InlineData("ok", "nosuchtype", 5, "UnknownConnectorType")]
        [InlineData("ok", "local", 11, "InvalidPriority")]
        public void Invalid_connector_definitions_name_the_field(string name, string type, int priority, string errorId)
        {
            var sink = new RecordingSink();
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition { Name = name, Type = type, Priority = priority }, null);
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be(errorId);
            CountRows("connectors").Should().Be(1);
        }

        [Fact]
        public void Connector_defaults_import_every_15_minutes_and_keeps_its_secret_protected()
        {
            var sink = new RecordingSink();
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition { Name = "with-secret", Type = "local" }, System.Text.Encoding.UTF8.GetBytes("hunter2-api-key"));
            var added = sink.Single<ConnectorDefinition>();
            added.ImportInterval.Should().Be(TimeSpan.FromMinutes(15));
            added.HasSecret.Should().BeTrue();
            if (_ws.Store.Engine == "SQLite") System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(_ws.Store.Location)).Should().NotContain("hunter2");
            var stored = _ws.Store.Database.Query("SELECT secret FROM connectors WHERE name = @n", r => (byte[])r.GetValue(0), ("@n", "with-secret")).Single();
            System.Text.Encoding.UTF8.GetString(stored).Should().NotContain("hunter2");
            _ws.Store.GetConnectorSecret("with-secret").Should().Equal(System.Text.Encoding.UTF8.GetBytes("hunter2-api-key"));
        }

        [Fact]
        public void WhatIf_on_every_changing_operation_leaves_no_trace()
        {
            var cert = Enroll("keep.contoso.com");
            var ordersBefore = CountRows("orders");
            var whatIf = new RecordingSink(shouldProcess: false);

            new ConnectorOperations(_ws, whatIf).Add(new ConnectorDefinition { Name = "new", Type = "local" }, null);
            new ConnectorOperations(_ws, whatIf).Remove(new[] { "lab" });
            new RequestOperations(_ws, whatIf).Build(new RequestSpec { Subject = "CN=whatif", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 });
            new OrderOperations(_ws, whatIf).Submit("lab", "WebServer", NewRequest("whatif2").Csr);
            new InventoryOperations(_ws, whatIf).Revoke(new[] { new CertificateSelector(cert.SerialNumber, null, null) }, RevocationReason.KeyCompromise, null);
            new ImportOperation(_ws, whatIf).Import(new[] { "lab" }, new ImportOptions());

            whatIf.Objects.Should().ContainSingle("only the import's -WhatIf writes something: what it would do")
                .Which.Should().Be(new ImportPreview("lab", "everything", WouldAdd: 0, AlreadyStored: 1, LeftOut: 0, Unreadable: 0));
            whatIf.Errors.Should().BeEmpty();
            whatIf.ShouldProcessCalls.Should().HaveCount(6);
            CountRows("connectors").Should().Be(1);
            CountRows("orders").Should().Be(ordersBefore);
            _ws.Store.QueryCertificates(new CertificateQuery { SerialNumber = cert.SerialNumber }).Single().Status.Should().Be(CertificateStatus.Valid);
            _ws.Store.ListImportRuns().Should().BeEmpty();
            var crl = CrlReader.Read(((LocalConnector)_ws.Connect("lab")).Authority.CurrentCrl());
            crl.Entries.Should().BeEmpty("the CA was not asked to revoke");
        }

        [Fact]
        public void One_bad_item_among_three_gives_one_error_and_two_results()
        {
            var a = Enroll("a.contoso.com");
            var b = Enroll("b.contoso.com");
            var sink = new RecordingSink();
            new InventoryOperations(_ws, sink).Revoke(new[]
            {
                new CertificateSelector(a.SerialNumber, null, null),
                new CertificateSelector("DEADBEEF", null, null),
                new CertificateSelector(null, b.Thumbprint, null),
            }, RevocationReason.Superseded, null);
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("CertificateNotFound");
            sink.All<CertificateRecord>().Should().HaveCount(2).And.OnlyContain(c => c.Status == CertificateStatus.Revoked && c.RevocationReason == RevocationReason.Superseded);
        }

        [Fact]
        public void Pending_order_is_approved_refreshed_and_fetched_with_its_key()
        {
            var sink = new RecordingSink();
            var orders = new OrderOperations(_ws, sink);
            var order = orders.Submit("lab", "WebServerApproval", NewRequest("approve.contoso.com").Csr)!;
            order.Status.Should().Be(SubmitStatus.Pending);
            order.KeyId.Should().NotBeNull("the key kept for the request is linked to the order");

            orders.Fetch(new[] { order });
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("OrderNotIssued");

            orders.Approve(new[] { order });
            sink.Objects.OfType<OrderRecord>().Last().Status.Should().Be(SubmitStatus.Issued);
            orders.Fetch(new[] { order });
            var cert = sink.Single<CertificateRecord>();
            cert.HasPrivateKey.Should().BeTrue();
            cert.Source.Should().Be(CertificateSource.Enrolled);
            cert.BusinessUnit.Should().Be("IT");
            _ws.Store.GetOrder(order.Id)!.FetchedAt.Should().NotBeNull();
        }

        [Fact]
        public void Refresh_picks_up_an_approval_made_on_the_ca_directly()
        {
            var sink = new RecordingSink();
            var orders = new OrderOperations(_ws, sink);
            var order = orders.Submit("lab", "WebServerApproval", NewRequest("console.contoso.com").Csr)!;
            ((LocalConnector)_ws.Connect("lab")).Authority.Approve(long.Parse(order.RequestId!));
            orders.List(new OrderQuery { Status = SubmitStatus.Pending }, refresh: true);
            sink.Objects.OfType<OrderRecord>().Last().Status.Should().Be(SubmitStatus.Issued);
        }

        [Fact]
        public void A_pending_order_another_host_is_polling_is_shown_as_stored_and_polled_once_its_lease_is_gone()
        {
            var sink = new RecordingSink();
            var orders = new OrderOperations(_ws, sink);
            var order = orders.Submit("lab", "WebServerApproval", NewRequest("polled.contoso.com").Csr)!;
            ((LocalConnector)_ws.Connect("lab")).Authority.Approve(long.Parse(order.RequestId!));
            _ws.Store.Database.Execute("INSERT INTO work_leases (unit, holder, acquired_at, expires_at) VALUES (@u, 'other-host/4242/1', @now, @until)",
                ("@u", "order:" + order.Id), ("@now", Infrastructure.SqlDatabase.Time(DateTimeOffset.UtcNow)),
                ("@until", Infrastructure.SqlDatabase.Time(DateTimeOffset.UtcNow.AddMinutes(1))));

            orders.Refresh(new[] { order });
            sink.Objects.OfType<OrderRecord>().Last().Status.Should().Be(SubmitStatus.Pending, "the host holding the lease polls it, not this one");
            sink.Verbose.Should().Contain(v => v.Contains("another host"));

            _ws.Store.Database.Execute("UPDATE work_leases SET expires_at = @past", ("@past", Infrastructure.SqlDatabase.Time(DateTimeOffset.UtcNow.AddSeconds(-1))));
            orders.Refresh(new[] { order });
            sink.Objects.OfType<OrderRecord>().Last().Status.Should().Be(SubmitStatus.Issued);
            _ws.Store.ListWork().Should().BeEmpty("the lease is released after the poll");
        }

        [Fact]
        public void Denied_submission_is_an_order_and_a_warning_not_an_exception()
        {
            var sink = new RecordingSink();
            var orders = new OrderOperations(_ws, sink);
            var order = orders.Submit("lab", "WebServerApproval", NewRequest("deny.contoso.com").Csr)!;
            orders.Deny(new[] { order });
            sink.Objects.OfType<OrderRecord>().Last().Status.Should().Be(SubmitStatus.Denied);
            sink.Errors.Should().BeEmpty();
        }

        [Fact]
        public void Unknown_template_fails_before_anything_is_stored()
        {
            var sink = new RecordingSink();
            new OrderOperations(_ws, sink).Submit("lab", "NoSuchTemplate", NewRequest("t").Csr);
            sink.Errors.Should().ContainSingle().Which.Should().Match<PscError>(e => e.ErrorId == "TemplateNotFound" && e.Message.Contains("WebServer"));
            CountRows("orders").Should().Be(0);
        }

        [Fact]
        public void Incremental_import_applies_business_unit_and_tags_and_follows_revocations()
        {
            var ca = ((LocalConnector)_ws.Connect("lab")).Authority;
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var serials = Enumerable.Range(0, 7).Select(i => CertificateReader.Read(ca.Submit(
                CsrBuilder.Build(new RequestSpec { Subject = "CN=imp" + i, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key),
                "User", new Dictionary<string, string>()).Certificate!).SerialNumber).ToList();

            var sink = new RecordingSink();
            new ImportOperation(_ws, sink).Import(new[] { "lab" }, new ImportOptions { BusinessUnit = "Finance", Tags = new[] { "web", "prod" }, BatchSize = 3 });
            var run = sink.Single<ImportRunRecord>();
            run.Imported.Should().Be(7);
            run.Status.Should().Be(ImportRunStatus.Succeeded);
            sink.Progress.Should().NotBeEmpty();
            var imported = _ws.Store.QueryCertificates(new CertificateQuery { Tag = "prod" });
            imported.Should().HaveCount(7).And.OnlyContain(c => c.BusinessUnit == "Finance" && c.Tags.Contains("base") && c.Source == CertificateSource.Imported);

            ca.Revoke(serials[3], RevocationReason.CessationOfOperation, null);
            var again = new RecordingSink();
            new ImportOperation(_ws, again).Import(new[] { "lab" }, new ImportOptions());
            again.Single<ImportRunRecord>().Should().Match<ImportRunRecord>(r => r.Imported == 0 && r.Updated == 1);
            _ws.Store.QueryCertificates(new CertificateQuery { Status = CertificateStatus.Revoked }).Single().SerialNumber.Should().Be(serials[3]);
        }

        [Fact]
        public void A_cancelled_import_keeps_the_pages_it_stored_and_resumes_after_them()
        {
            var ca = ((LocalConnector)_ws.Connect("lab")).Authority;
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            for (int i = 0; i < 6; i++)
                ca.Submit(CsrBuilder.Build(new RequestSpec { Subject = "CN=c" + i, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key), "User", new Dictionary<string, string>());
            using var cts = new CancellationTokenSource();
            var sink = new CancelAfterFirstPage(cts);
            FluentActions.Invoking(() => new ImportOperation(_ws, sink).Import(new[] { "lab" }, new ImportOptions { BatchSize = 2 }))
                .Should().Throw<OperationCanceledException>();
            _ws.Store.CountCertificates().Should().Be(2);
            _ws.Store.ListImportRuns().Single().Status.Should().Be(ImportRunStatus.Cancelled);

            var resume = new RecordingSink();
            new ImportOperation(_ws, resume).Import(new[] { "lab" }, new ImportOptions { BatchSize = 2 });
            resume.Single<ImportRunRecord>().Imported.Should().Be(4);
            _ws.Store.CountCertificates().Should().Be(6);
        }

        private sealed class CancelAfterFirstPage : ICommandSink
        {
            private readonly CancellationTokenSource _cts;
            public CancelAfterFirstPage(CancellationTokenSource cts) => _cts = cts;
            public CancellationToken Cancellation => _cts.Token;
            public void WriteObject(object item) { }
            public void WriteError(PscError error) { }
            public void WriteWarning(string message) { }
            public void WriteVerbose(string message) { }
            public void WriteProgress(ProgressInfo progress) { if (!progress.Completed) _cts.Cancel(); }
            public bool ShouldProcess(string target, string action) => true;
        }

        [Fact]
        public void Inventory_queries_filter_by_expiry_name_tag_and_status()
        {
            var web = Enroll("www.fabrikam.com");
            Enroll("mail.contoso.com", "User");
            var inv = _ws.Store;
            inv.QueryCertificates(new CertificateQuery { Name = "*.fabrikam.com" }).Single().SerialNumber.Should().Be(web.SerialNumber);
            inv.QueryCertificates(new CertificateQuery { Name = "mail" }).Should().BeEmpty("a plain word matches a whole name, never part of one");
            inv.QueryCertificates(new CertificateQuery { Name = "mail*" }).Should().ContainSingle();
            inv.QueryCertificates(new CertificateQuery { Name = "MAIL.CONTOSO.COM" }).Should().ContainSingle("names match case-insensitively");
            inv.QueryCertificates(new CertificateQuery { ExpiringWithinDays = 400 }).Should().ContainSingle().Which.Template.Should().Be("User");
            inv.QueryCertificates(new CertificateQuery { ExpiringWithinDays = 800 }).Should().HaveCount(2);
            inv.QueryCertificates(new CertificateQuery { Tag = "BASE" }).Should().HaveCount(2);
            inv.QueryCertificates(new CertificateQuery(), asOf: DateTimeOffset.UtcNow.AddDays(500)).Count(c => c.StatusAt(DateTimeOffset.UtcNow.AddDays(500)) == CertificateStatus.Expired).Should().Be(1);
        }

        [Fact]
        public void Name_wildcards_match_the_subject_common_name_and_san_values_with_a_fixed_start_end_or_neither()
        {
            var sink = new RecordingSink();
            new RequestOperations(_ws, sink).Build(new RequestSpec
            {
                Subject = "CN=Portal.Fabrikam.com,O=Fabrikam", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256,
                SubjectAlternativeNames = new[] { new SubjectAlternativeName(SanType.Dns, "portal.fabrikam.com"), new SubjectAlternativeName(SanType.Dns, "sso.fabrikam.net") },
            });
            var orders = new OrderOperations(_ws, sink);
            orders.Fetch(new[] { orders.Submit("lab", "WebServer", sink.Single<CertificateRequestResult>().Csr)! });
            var portal = sink.Single<CertificateRecord>();
            Enroll("mail_1.contoso.com");
            Enroll("mailx1.contoso.com");

            string[] Found(string pattern) => _ws.Store.QueryCertificates(new CertificateQuery { Name = pattern }).Select(c => c.CommonName!).OrderBy(n => n).ToArray();
            Found("sso.fabrikam.net").Should().Equal(new[] { portal.CommonName }, "a SAN value matches whole");
            Found("SSO*").Should().Equal(new[] { portal.CommonName }, "a fixed start, any case, of a SAN");
            Found("*.FABRIKAM.net").Should().Equal(new[] { portal.CommonName }, "a fixed end of a SAN");
            Found("cn=portal*").Should().Equal(new[] { portal.CommonName }, "a fixed start of the subject");
            Found("*o=fabrikam").Should().Equal(new[] { portal.CommonName }, "a fixed end of the subject");
            Found("*fabrikam*").Should().Equal(new[] { portal.CommonName }, "wildcards at both ends");
            Found("mail_1*").Should().Equal("mail_1.contoso.com"); // '_' is a character, not SQL's any-character
            Found("mail?1.contoso.com").Should().Equal("mail_1.contoso.com", "mailx1.contoso.com");
            Found("*1.contoso.com").Should().Equal("mail_1.contoso.com", "mailx1.contoso.com");
            Found("mail").Should().BeEmpty();
            Found("m*l*.com").Should().Equal("mail_1.contoso.com", "mailx1.contoso.com");
        }

        [Fact]
        public void Certificates_stored_before_the_names_table_existed_are_found_by_name_after_the_migration()
        {
            var old = Enroll("Old.Fabrikam.com");
            var db = _ws.Store.Database;
            db.Execute("DROP TABLE certificate_names"); // as an inventory of schema 7 has it, without what later steps added
            db.Execute("DROP TABLE notifications_sent; DROP TABLE notification_rules; ALTER TABLE orders DROP COLUMN next_poll_at; ALTER TABLE orders DROP COLUMN poll_attempts; ALTER TABLE orders DROP COLUMN finished_at; ALTER TABLE connectors DROP COLUMN proxy_secret; DROP TABLE revocation_requests");
            db.Execute("DELETE FROM schema_version WHERE version >= 8");
            db.Migrate(InventoryStore.SchemaMigrations, "inventory database").Should().Be(InventoryStore.LatestSchemaVersion - 7);

            _ws.Store.QueryCertificates(new CertificateQuery { Name = "old*" }).Single().SerialNumber.Should().Be(old.SerialNumber);
            _ws.Store.QueryCertificates(new CertificateQuery { Name = "*.fabrikam.COM" }).Single().SerialNumber.Should().Be(old.SerialNumber);
            _ws.Store.QueryCertificates(new CertificateQuery { Name = "CN=Old*" }).Should().ContainSingle();
            var later = Enroll("later.fabrikam.com");
            _ws.Store.QueryCertificates(new CertificateQuery { Name = "*.fabrikam.com" }).Select(c => c.SerialNumber).Should().BeEquivalentTo(new[] { old.SerialNumber, later.SerialNumber },
                "rows stored after the migration have their names too");
        }

        [Fact]
        public void Hold_then_release_through_the_operation_updates_inventory_and_crl()
        {
            var cert = Enroll("hold.contoso.com");
            var sink = new RecordingSink();
            var inv = new InventoryOperations(_ws, sink);
            inv.Revoke(new[] { new CertificateSelector(cert.SerialNumber, null, null) }, RevocationReason.CertificateHold, null);
            sink.Single<CertificateRecord>().RevocationReason.Should().Be(RevocationReason.CertificateHold);
            inv.Revoke(new[] { new CertificateSelector(cert.SerialNumber, null, null) }, RevocationReason.RemoveFromCrl, null);
            sink.All<CertificateRecord>().Last().Status.Should().Be(CertificateStatus.Valid);
            var crl = new RecordingSink();
            new CrlOperations(_ws, crl).Show("lab");
            crl.Single<CrlReport>().Entries.Should().BeEmpty();
        }

        [Fact]
        public void Pfx_export_honours_exportable_and_carries_the_key()
        {
            var exportable = Enroll("exp.contoso.com");
            var locked = Enroll("locked.contoso.com", exportable: false);
            var sink = new RecordingSink();
            var inv = new InventoryOperations(_ws, sink);
            var pfx = inv.Export(new CertificateSelector(exportable.SerialNumber, null, null), ExportFormat.Pfx, true, "pfx-pass")!;
            pfx.IncludesPrivateKey.Should().BeTrue();
            using (var loaded = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(pfx.Content, "pfx-pass"))
                loaded.HasPrivateKey.Should().BeTrue();
            inv.Export(new CertificateSelector(locked.SerialNumber, null, null), ExportFormat.Pfx, false, "pfx-pass");
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("KeyNotExportable");
            var pem = inv.Export(new CertificateSelector(locked.SerialNumber, null, null), ExportFormat.Pem, true, null)!;
            System.Text.Encoding.ASCII.GetString(pem.Content).Split("BEGIN CERTIFICATE").Length.Should().Be(4, "leaf, issuing and root");
        }

        // A process killed while the CA worked: its order is Submitting, and its process (pid 0 never is ours) is gone.
        private OrderRecord InterruptedSubmission(string connector, byte[] csr, SubmitStatus status = SubmitStatus.Submitting) =>
            _ws.Store.AddOrder(new OrderRecord
            {
                Connector = connector, Template = "WebServer", Status = status, CommonName = "interrupted", Csr = csr,
                SubmissionId = Guid.NewGuid().ToString("N"), SubmittedBy = Environment.MachineName + "/0/0",
            });

        private int CaIssuedCount() => ((LocalConnector)_ws.Connect("lab")).Authority.Enumerate(null, 10_000).Items.Count;

        [Fact]
        public void A_submit_interrupted_after_the_embedded_CA_issued_is_recovered_by_its_submission_id_not_issued_twice()
        {
            var csr = CsrParser.Parse(NewRequest("crashed").Csr).Der;
            var order = InterruptedSubmission("lab", csr);
            // What the killed process had sent: the CA issued and committed, the answer never reached the inventory.
            var issued = _ws.Connect("lab").Submit(csr, "WebServer", new Dictionary<string, string> { [SubmissionLookup.AttributeName] = order.SubmissionId! }, default);
            var before = CaIssuedCount();

            var sink = new RecordingSink();
            var orders = new OrderOperations(_ws, sink);
            orders.List(new OrderQuery(), refresh: false);
            var recovered = sink.All<OrderRecord>().Single(o => o.Id == order.Id);
            recovered.Status.Should().Be(SubmitStatus.Issued);
            recovered.RequestId.Should().Be(issued.RequestId);
            recovered.Certificate.Should().Equal(issued.Certificate);

            // A rerun of the same submit is a new, deliberate request now that the first is settled; nothing was sent twice by the recovery.
            CaIssuedCount().Should().Be(before);
            orders.Fetch(new[] { recovered });
            sink.Errors.Should().BeEmpty();
            sink.All<CertificateRecord>().Should().ContainSingle().Which.SerialNumber.Should().Be(CertificateReader.Read(issued.Certificate!).SerialNumber);
        }

        [Fact]
        public void A_submit_interrupted_before_the_embedded_CA_received_it_fails_with_a_message_that_says_to_submit_again()
        {
            var csr = CsrParser.Parse(NewRequest("never-sent").Csr).Der;
            var order = InterruptedSubmission("lab", csr);
            var sink = new RecordingSink();
            new OrderOperations(_ws, sink).List(new OrderQuery { Id = order.Id }, refresh: false);
            var settled = sink.Single<OrderRecord>();
            settled.Status.Should().Be(SubmitStatus.Failed);
            settled.DispositionMessage.Should().Contain("never received it").And.Contain("submit the request again");
            CaIssuedCount().Should().Be(0);
        }

        [Fact]
        public void A_submit_still_running_in_another_live_process_is_left_alone_and_not_sent_twice()
        {
            var csr = CsrParser.Parse(NewRequest("busy").Csr).Der;
            using var other = System.Diagnostics.Process.GetProcessById(Environment.ProcessId);
            var live = _ws.Store.AddOrder(new OrderRecord
            {
                Connector = "lab", Template = "WebServer", Status = SubmitStatus.Submitting, CommonName = "busy", Csr = csr,
                SubmissionId = Guid.NewGuid().ToString("N"),
                // This test process stands for the other one: alive, with the start time it really has.
                SubmittedBy = $"{Environment.MachineName}/{other.Id}/{other.StartTime.ToUniversalTime().Ticks}",
            });
            var sink = new RecordingSink();
            new OrderOperations(_ws, sink).Submit("lab", "WebServer", csr).Should().BeNull();
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("SubmissionInProgress");
            _ws.Store.GetOrder(live.Id)!.Status.Should().Be(SubmitStatus.Submitting);
            CaIssuedCount().Should().Be(0);
        }

        [Fact]
        public void A_request_whose_earlier_submission_is_in_doubt_is_refused_until_someone_checks_the_CA()
        {
            var csr = CsrParser.Parse(NewRequest("doubt").Csr).Der;
            var order = InterruptedSubmission("lab", csr, SubmitStatus.Unknown);
            var sink = new RecordingSink();
            new OrderOperations(_ws, sink).Submit("lab", "WebServer", csr).Should().BeNull();
            var error = sink.Errors.Should().ContainSingle().Subject;
            error.ErrorId.Should().Be("SubmissionInDoubt");
            error.Message.Should().Contain($"order {order.Id}");
            CaIssuedCount().Should().Be(0);

            // Once the order is removed, the request may go again.
            _ws.Store.RemoveOrder(order.Id);
            new OrderOperations(_ws, new RecordingSink()).Submit("lab", "WebServer", csr)!.Status.Should().Be(SubmitStatus.Issued);
        }

        [Fact]
        public void A_submit_interrupted_on_a_transport_that_cannot_look_requests_up_becomes_unknown_with_what_to_check()
        {
            var sink = new RecordingSink();
            // Nothing listens there: settling the order must not need the CA.
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition
            {
                Name = "ces", Type = "adcs-ces",
                Settings = new Dictionary<string, string> { ["host"] = "127.0.0.1", ["port"] = "9", ["user"] = "CONTOSO\\enroll" },
            }, System.Text.Encoding.UTF8.GetBytes("secret"));
            sink.Errors.Should().BeEmpty();
            var csr = CsrParser.Parse(NewRequest("remote").Csr).Der;
            var order = InterruptedSubmission("ces", csr);
            new OrderOperations(_ws, sink).List(new OrderQuery { Id = order.Id }, refresh: false);
            var settled = sink.All<OrderRecord>().Single();
            settled.Status.Should().Be(SubmitStatus.Unknown);
            settled.DispositionMessage.Should().Contain(order.SubmissionId!).And.Contain(SubmissionLookup.AttributeName).And.Contain("order remove " + order.Id);
            sink.Warnings.Should().Contain(w => w.Contains(order.SubmissionId!));
        }

        [Fact]
        public void Submitting_the_same_request_again_returns_its_order_instead_of_a_second_certificate()
        {
            var csr = NewRequest("retried").Csr;
            var sink = new RecordingSink();
            var orders = new OrderOperations(_ws, sink);
            var first = orders.Submit("lab", "WebServer", csr)!;
            var again = orders.Submit("lab", "WebServer", csr)!;
            again.Id.Should().Be(first.Id);
            sink.Warnings.Should().ContainSingle().Which.Should().Contain($"already submitted as order {first.Id}");
            CaIssuedCount().Should().Be(1);
            // A request that was denied or failed may be sent again.
            var pending = orders.Submit("lab", "WebServerApproval", NewRequest("denied-then-retried").Csr)!;
            orders.Deny(new[] { pending });
            orders.Submit("lab", "WebServerApproval", pending.Csr!)!.Id.Should().NotBe(pending.Id);
        }

        [Fact]
        public void Relative_file_settings_are_stored_absolute_against_the_working_folder_the_face_gives()
        {
            var work = Directory.CreateDirectory(_home.File("work")).FullName;
            _ws.WorkingFolder = work;
            var sink = new RecordingSink();
            var connectors = new ConnectorOperations(_ws, sink);
            connectors.Add(new ConnectorDefinition { Name = "rel", Type = "local", Settings = new Dictionary<string, string> { ["path"] = "ca-rel", ["keyAlgorithm"] = "ECDSA_P256" } }, null);
            sink.Errors.Should().BeEmpty();
            _ws.Store.GetConnector("rel")!.Settings["path"].Should().Be(Path.Combine(work, "ca-rel"));
            File.Exists(Path.Combine(work, "ca-rel", "issuing.crt")).Should().BeTrue();

            File.WriteAllText(_home.File("bundle.pem"), Pem.Encode("CERTIFICATE", File.ReadAllBytes(Path.Combine(work, "ca-rel", "root.crt"))));
            connectors.Add(new ConnectorDefinition { Name = "web", Type = "adcs-web", Settings = new Dictionary<string, string> { ["host"] = "ca.contoso.com", ["user"] = "u" } },
                System.Text.Encoding.UTF8.GetBytes("pw"));
            connectors.Update("web", new ConnectorChanges { Settings = new Dictionary<string, string> { ["caBundle"] = "../bundle.pem" } }, null);
            sink.Errors.Should().BeEmpty();
            _ws.Store.GetConnector("web")!.Settings["caBundle"].Should().Be(Path.Combine(_home.Path, "bundle.pem"));
        }

        [Fact]
        public void The_same_revocation_again_is_not_an_error_and_keeps_the_first_date()
        {
            var cert = Enroll("revoked-twice");
            var sink = new RecordingSink();
            var inv = new InventoryOperations(_ws, sink);
            inv.Revoke(new[] { new CertificateSelector(cert.SerialNumber, null, null) }, RevocationReason.KeyCompromise, null);
            var first = _ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = cert.Thumbprint }).Single().RevokedAt;
            inv.Revoke(new[] { new CertificateSelector(cert.SerialNumber, null, null) }, RevocationReason.KeyCompromise, null);
            sink.Errors.Should().BeEmpty();
            _ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = cert.Thumbprint }).Single().RevokedAt.Should().Be(first);
            inv.Revoke(new[] { new CertificateSelector(cert.SerialNumber, null, null) }, RevocationReason.Superseded, null);
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("AlreadyRevoked");
        }

        [Fact]
        public void A_capability_the_connector_lacks_is_a_typed_error_naming_the_transport_that_has_it()
        {
            var connector = new NoRevokeConnector();
            FluentActions.Invoking(() => connector.Revoke("01", RevocationReason.Unspecified, null, default))
                .Should().Throw<CapabilityNotSupportedException>().Where(e => e.Capability == ConnectorCapabilities.Revoke && e.Message.Contains("adcs-dcom"));
        }

        private sealed class NoRevokeConnector : CaConnectorBase
        {
            public override string Type => "adcs-ces";
            public override ConnectorCapabilities Capabilities => ConnectorCapabilities.Enroll;
        }
    }

    public class StoreTests
    {
        [Fact]
        public void A_corrupt_inventory_is_reported_and_left_untouched()
        {
            using var home = new TempHome();
            var junk = System.Text.Encoding.ASCII.GetBytes(new string('x', 4096));
            File.WriteAllBytes(home.File("inventory.db"), junk);
            FluentActions.Invoking(() => Workspace.Open(home.Path)).Should().Throw<PscException>()
                .Where(e => e.ErrorId == "StoreCorrupt" && e.Message.Contains("inventory.db"));
            File.ReadAllBytes(home.File("inventory.db")).Should().Equal(junk);
        }

        [Fact]
        public void A_home_that_is_a_file_is_refused()
        {
            using var home = new TempHome();
            File.WriteAllText(home.File("afile"), "x");
            FluentActions.Invoking(() => Workspace.Open(home.File("afile"))).Should().Throw<PscException>().Where(e => e.ErrorId == "HomeUnusable");
        }

        [Fact]
        public void The_same_certificate_twice_is_one_row()
        {
            using var home = new TempHome();
            using var ws = Workspace.Open(home.Path);
            new ConnectorOperations(ws, new RecordingSink()).Add(new ConnectorDefinition { Name = "c", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" } }, null);
            var ca = ((LocalConnector)ws.Connect("c")).Authority;
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var der = ca.Submit(CsrBuilder.Build(new RequestSpec { Subject = "CN=dup", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key), "User", new Dictionary<string, string>()).Certificate!;
            var upsert = new InventoryStore.CertificateUpsert(der, "c", CertificateSource.Imported, null, "1", null, new[] { "a" }, null, null);
            ws.Store.UpsertCertificate(upsert).Should().Be(InventoryStore.UpsertOutcome.Inserted);
            ws.Store.UpsertCertificate(upsert).Should().Be(InventoryStore.UpsertOutcome.Unchanged);
            ws.Store.UpsertCertificate(upsert with { Tags = new[] { "b" } }).Should().Be(InventoryStore.UpsertOutcome.Updated);
            ws.Store.CountCertificates().Should().Be(1);
            ws.Store.QueryCertificates(new CertificateQuery()).Single().Tags.Should().BeEquivalentTo("a", "b");
        }
    }
}

namespace PSCertConnector.Core.Tests
{
    public class RenameTests
    {
        [Fact]
        public void Renaming_a_connector_keeps_its_ca_and_carries_its_inventory_along()
        {
            using var home = new TempHome();
            using var ws = Workspace.Open(home.Path);
            var sink = new RecordingSink();
            new ConnectorOperations(ws, sink).Add(new ConnectorDefinition { Name = "old", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" } }, null);
            var issuingBefore = ((LocalConnector)ws.Connect("old")).Authority.IssuingCertificate;
            var request = new RequestOperations(ws, sink).Build(new RequestSpec { Subject = "CN=r", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 })!;
            var orders = new OrderOperations(ws, sink);
            orders.Fetch(new[] { orders.Submit("old", "User", request.Csr)! });

            new ConnectorOperations(ws, sink).Update("old", new ConnectorChanges { NewName = "new" }, null);
            sink.Errors.Should().BeEmpty();
            ((LocalConnector)ws.Connect("new")).Authority.IssuingCertificate.Should().Equal(issuingBefore, "the renamed connector opens the same CA");
            ws.Store.QueryCertificates(new CertificateQuery { Connector = "new" }).Should().ContainSingle();
            ws.Store.QueryOrders(new OrderQuery { Connector = "new" }).Should().ContainSingle();
        }
    }
}

namespace PSCertConnector.Core.Tests
{
    public class CmdletBehaviourTests
    {
        [Fact]
        public void Update_writes_the_connector_only_with_PassThru()
        {
            using var home = new TempHome();
            using var ws = Workspace.Open(home.Path);
            new ConnectorOperations(ws, new RecordingSink()).Add(new ConnectorDefinition { Name = "c", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" } }, null);
            var quiet = new RecordingSink();
            new ConnectorOperations(ws, quiet).Update("c", new ConnectorChanges { Priority = 2 }, null, passThru: false);
            quiet.Objects.Should().BeEmpty();
            var loud = new RecordingSink();
            new ConnectorOperations(ws, loud).Update("c", new ConnectorChanges { Priority = 3, ImportEveryUnit = ImportFrequencyUnit.Weeks, ImportEvery = 1 }, null, passThru: true);
            loud.Single<ConnectorDefinition>().Should().Match<ConnectorDefinition>(c => c.Priority == 3 && c.ImportInterval == TimeSpan.FromDays(7));
        }

        [Fact]
        public void Install_pairs_the_certificate_with_its_kept_key_and_reports_the_thumbprint_without_spaces()
        {
            using var home = new TempHome();
            using var ws = Workspace.Open(home.Path);
            var sink = new RecordingSink();
            new ConnectorOperations(ws, sink).Add(new ConnectorDefinition { Name = "c", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" } }, null);
            var request = new RequestOperations(ws, sink).Build(InfParser.Parse(Samples.GuideCertreqIni).Spec)!;
            var orders = new OrderOperations(ws, sink);
            orders.Fetch(new[] { orders.Submit("c", "RA", request.Csr)! });
            var cert = sink.Single<CertificateRecord>();

            // The guide's INF asks for MachineKeySet: the machine store, which exists only on Windows.
            var install = new InstallOperation(ws, sink);
            if (!OperatingSystem.IsWindows())
            {
                install.Install(new CertificateSelector(null, cert.Thumbprint, null), null);
                sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("MachineStoreUnavailable");
            }
            var installed = install.Install(new CertificateSelector(null, cert.Thumbprint, null), System.Security.Cryptography.X509Certificates.StoreLocation.CurrentUser)!;
            installed.Thumbprint.Should().Be(cert.Thumbprint).And.MatchRegex("^[0-9A-F]{40}$");
            installed.HasPrivateKey.Should().BeTrue();
            using var store = new System.Security.Cryptography.X509Certificates.X509Store("My", System.Security.Cryptography.X509Certificates.StoreLocation.CurrentUser);
            store.Open(System.Security.Cryptography.X509Certificates.OpenFlags.ReadWrite);
            var found = store.Certificates.Find(System.Security.Cryptography.X509Certificates.X509FindType.FindByThumbprint, cert.Thumbprint, false);
            found.Should().ContainSingle().Which.HasPrivateKey.Should().BeTrue();
            store.Remove(found[0]);
        }
    }
}

namespace PSCertConnector.Core.Tests
{
    public class ReviewRegressionTests
    {
        private static (TempHome Home, Workspace Ws) NewLab()
        {
            var home = new TempHome();
            var ws = Workspace.Open(home.Path);
            new ConnectorOperations(ws, new RecordingSink()).Add(new ConnectorDefinition { Name = "lab", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" } }, null);
            return (home, ws);
        }

        [Fact]
        public void Fetching_an_order_again_does_not_undo_a_revocation()
        {
            var (home, ws) = NewLab();
            using (home) using (ws)
            {
                var sink = new RecordingSink();
                var request = new RequestOperations(ws, sink).Build(new RequestSpec { Subject = "CN=again", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 })!;
                var orders = new OrderOperations(ws, sink);
                var order = orders.Submit("lab", "User", request.Csr)!;
                orders.Fetch(new[] { order });
                var cert = sink.Single<CertificateRecord>();
                new InventoryOperations(ws, sink).Revoke(new[] { new CertificateSelector(cert.SerialNumber, null, null) }, RevocationReason.KeyCompromise, null);
                orders.Fetch(new[] { order });
                ws.Store.QueryCertificates(new CertificateQuery { SerialNumber = cert.SerialNumber }).Single().Status.Should().Be(CertificateStatus.Revoked);
            }
        }

        [Fact]
        public void A_ca_whose_files_went_missing_is_reported_not_recreated()
        {
            var (home, ws) = NewLab();
            using (home)
            {
                var folder = ws.Store.GetConnector("lab")!.Settings["path"];
                ws.Dispose();
                File.Delete(Path.Combine(folder, "issuing.crt"));
                using var again = Workspace.Open(home.Path);
                FluentActions.Invoking(() => again.Connect("lab")).Should().Throw<PscException>().Where(e => e.ErrorId == "EmbeddedCaMissing");
                File.Exists(Path.Combine(folder, "issuing.crt")).Should().BeFalse("nothing was recreated");
                Directory.Delete(folder, true);
                FluentActions.Invoking(() => again.Connect("lab")).Should().Throw<PscException>().Where(e => e.ErrorId == "EmbeddedCaMissing");
                Directory.Exists(folder).Should().BeFalse();
            }
        }

        [Fact]
        public void Settings_that_name_the_ca_cannot_change()
        {
            var (home, ws) = NewLab();
            using (home) using (ws)
            {
                var sink = new RecordingSink();
                new ConnectorOperations(ws, sink).Update("lab", new ConnectorChanges { Settings = new Dictionary<string, string> { ["caName"] = "Other" } }, null);
                sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("SettingFixed");
            }
        }

        [Fact]
        public void An_inf_saved_with_a_byte_order_mark_is_read()
        {
            InfParser.Parse("\uFEFF" + Samples.GuideCertreqIni).Spec.KeyUsage.Should().Be(0xa0);
        }
    }
}
