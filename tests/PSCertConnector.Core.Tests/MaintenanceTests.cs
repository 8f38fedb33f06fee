using FluentAssertions;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>The maintenance pass on an embedded CA and the home's SQLite inventory, as a scheduled task runs it.</summary>
    public sealed class MaintenanceTests : IDisposable
    {
        private readonly TempHome _home = new();
        private readonly Workspace _ws;

        public MaintenanceTests()
        {
            _ws = Workspace.Open(_home.Path);
            var sink = new RecordingSink();
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition
            {
                Name = "lab", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" },
            }, null);
            sink.Errors.Should().BeEmpty();
        }

        public void Dispose()
        {
            _ws.Dispose();
            _home.Dispose();
        }

        private MaintenanceReport Pass(Workspace? workspace = null, MaintenanceOptions? options = null)
        {
            var sink = new RecordingSink();
            var report = new MaintenanceOperation(workspace ?? _ws, sink).RunOnce(options ?? new MaintenanceOptions());
            sink.Errors.Should().BeEmpty();
            sink.Single<MaintenanceReport>().Should().Be(report, "the pass writes its report");
            return report;
        }

        private byte[] Csr(string cn)
        {
            var sink = new RecordingSink();
            new RequestOperations(_ws, sink).Build(new RequestSpec { Subject = "CN=" + cn, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256, Exportable = true });
            return sink.Single<CertificateRequestResult>().Csr;
        }

        private OrderRecord Submit(string cn, string template = "WebServer")
        {
            var sink = new RecordingSink();
            var order = new OrderOperations(_ws, sink).Submit("lab", template, Csr(cn))!;
            sink.Errors.Should().BeEmpty();
            return order;
        }

        /// <summary>
        /// A certificate issued 700 days ago and valid for 30 more (the embedded CA issues only from now): due under the
        /// default policy. Stored as the source says: enrolled here, or imported from the CA.
        /// </summary>
        private CertificateRecord StoreAgedCertificate(string cn, CertificateSource source)
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=" + cn, key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
            names.AddDnsName(cn);
            request.CertificateExtensions.Add(names.Build());
            using var aged = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-700), DateTimeOffset.UtcNow.AddDays(30));
            _ws.Store.UpsertCertificate(new InventoryStore.CertificateUpsert(aged.RawData, "lab", source, "WebServer", null, null, Array.Empty<string>(), null, null));
            return _ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = aged.Thumbprint }).Single();
        }

        private EmbeddedCertificateAuthority Ca => ((LocalConnector)_ws.Connect("lab")).Authority;

        private IReadOnlyList<CaEvent> Events(params int[] ids) => _ws.Events.Read(new EventQuery { Ids = ids }, out _);

        [Fact]
        public void An_import_runs_when_its_frequency_makes_it_due_and_is_passed_over_until_then()
        {
            Submit("import.contoso.com");
            Pass().Imports.Should().Be(1, "a connector never imported is due at once");
            var second = Pass();
            second.Imports.Should().Be(0);
            second.DidNothing.Should().BeTrue("a pass straight after another finds nothing to do");
            Events(EventIds.ImportNotDue).Should().ContainSingle("the second pass says when the import is due")
                .Which.Message.Should().Contain("not due until");

            var connector = _ws.Store.GetConnector("lab")!;
            connector.LastImportStatus.Should().Be(ImportRunStatus.Succeeded);
            connector.NextImportAt.Should().BeCloseTo(connector.LastImportAt!.Value + TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(1));
            _ws.Store.SetLastImport("lab", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(16)); // as 16 minutes later
            Pass().Imports.Should().Be(1, "one interval after the last import it is due again");
            Events(EventIds.ImportSucceeded).Should().HaveCount(2);
        }

        [Fact]
        public void A_pending_order_is_polled_with_growing_waits_and_fetched_once_a_manager_approves_it()
        {
            var order = Submit("approve.contoso.com", "WebServerApproval");
            order.Status.Should().Be(SubmitStatus.Pending);

            var first = Pass();
            first.OrdersPolled.Should().Be(1);
            first.OrdersSettled.Should().Be(0);
            var polled = _ws.Store.GetOrder(order.Id)!;
            polled.PollAttempts.Should().Be(1);
            polled.NextPollAt.Should().BeCloseTo(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));
            Pass().OrdersPolled.Should().Be(0, "the order is not asked about again before its next poll time");

            _ws.Store.SetNextPoll(order.Id, DateTimeOffset.UtcNow.AddSeconds(-1), 1);
            Pass().OrdersPolled.Should().Be(1);
            _ws.Store.GetOrder(order.Id)!.NextPollAt.Should().BeCloseTo(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), "the second unanswered poll waits twice as long");
            Events(EventIds.PendingRequestStillPending).Should().HaveCount(2);

            Ca.Approve(long.Parse(order.RequestId!));
            _ws.Store.SetNextPoll(order.Id, DateTimeOffset.UtcNow.AddSeconds(-1), 2);
            var settled = Pass();
            settled.OrdersSettled.Should().Be(1);
            settled.CertificatesFetched.Should().Be(1, "an order issued since is fetched into the inventory in the same pass");
            Events(EventIds.PendingRequestIssued).Should().ContainSingle().Which.Log.Should().Be(EventChannel.Admin);
            _ws.Store.GetOrder(order.Id)!.FetchedAt.Should().NotBeNull();
            Pass().DidNothing.Should().BeTrue();
        }

        [Fact]
        public void A_notification_claimed_by_a_process_that_died_is_sent_by_the_next_pass()
        {
            var received = _home.File("told.json");
            var sink = new RecordingSink();
            var rule = new NotificationOperations(_ws, sink).Add(new Notifications.NotificationRuleRequest
            {
                Name = "script", Channel = Notifications.NotificationChannel.Command, Command = $"cat >> '{received}'", Triggers = new Notifications.NotificationTriggers { Issued = true },
            })!;
            var order = Submit("told.contoso.com");
            // A pass that claimed it and was killed before sending: its claim lapses, and nothing else marks it sent.
            _ws.Store.TryClaimNotification(rule.Id, $"issued:{order.Id}", TimeSpan.FromMilliseconds(1)).Should().BeTrue();
            Thread.Sleep(50);
            Pass().NotificationsSent.Should().Be(1);
            File.ReadAllText(received).Should().Contain("told.contoso.com");
            Pass().NotificationsSent.Should().Be(0);
        }

        [Fact]
        public void Failed_imports_in_a_row_are_one_notification_until_an_import_succeeds()
        {
            var sink = new RecordingSink();
            var rule = new NotificationOperations(_ws, sink).Add(new Notifications.NotificationRuleRequest
            {
                Name = "imports", Channel = Notifications.NotificationChannel.Command, Command = "true", Triggers = new Notifications.NotificationTriggers { ImportFailed = true },
            })!;
            void Run(ImportRunStatus status) => _ws.Store.FinishImportRun(_ws.Store.StartImportRun("lab", ImportMode.Incremental, null), status, status == ImportRunStatus.Failed ? "the CA is down" : null);
            Run(ImportRunStatus.Failed);
            Run(ImportRunStatus.Failed);
            Run(ImportRunStatus.Failed);
            var outage = new NotificationOperations(_ws, sink).Collect(rule).Should().ContainSingle("a weekend outage is one message, not one per pass").Subject;
            outage.Text.Should().Contain("3 attempts").And.Contain("the CA is down");
            Run(ImportRunStatus.Succeeded);
            new NotificationOperations(_ws, sink).Collect(rule).Should().BeEmpty();
            Run(ImportRunStatus.Failed);
            new NotificationOperations(_ws, sink).Collect(rule).Should().ContainSingle().Which.Subject.Should().NotBe(outage.Subject, "a new outage is told again");
        }

        [Fact]
        public void A_renewal_whose_deployment_failed_is_finished_by_a_later_pass()
        {
            var sink = new RecordingSink();
            new OrderOperations(_ws, sink).Fetch(new[] { Submit("pfx.contoso.com") });
            var certificate = sink.Single<CertificateRecord>();
            var selector = new CertificateSelector(null, certificate.Thumbprint, null);
            var pfx = _home.File("pfx.pfx");
            new InventoryOperations(_ws, sink).ExportToFile(selector, ExportFormat.Pfx, false, "first-password", new ExportFileOptions { Path = pfx }).Should().NotBeNull();
            sink.Errors.Should().BeEmpty();

            var renewal = new RecordingSink();
            new RenewalOperations(_ws, renewal).Renew(new[] { selector }, new RenewOptions(), 1);
            renewal.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("DeploymentPasswordRequired", "the old certificate was exported to a PFX and no password was given");
            var successor = renewal.Single<RenewalResult>().Thumbprint;
            successor.Should().NotBeNull();

            var stillWithout = new RecordingSink();
            new MaintenanceOperation(_ws, stillWithout).RunOnce(new MaintenanceOptions());
            stillWithout.Errors.Should().ContainSingle("each pass tries the deployment again").Which.ErrorId.Should().Be("DeploymentPasswordRequired");

            var withPassword = new MaintenanceOptions { Renewal = new RenewOptions { PfxPassword = "second-password" } };
            Pass(options: withPassword).Renewed.Should().Be(1);
            using (var deployed = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(pfx, "second-password"))
                deployed.Thumbprint.Should().Be(successor, "the successor replaced the PFX file");
            Pass(options: withPassword).Renewed.Should().Be(0, "a finished renewal is not done again");
        }

        [Fact]
        public void The_wait_between_polls_doubles_from_five_minutes_up_to_four_hours()
        {
            Enumerable.Range(1, 8).Select(MaintenanceOperation.PollDelay).Select(d => d.TotalMinutes)
                .Should().Equal(5, 10, 20, 40, 80, 160, 240, 240);
        }

        [Fact]
        public void Due_certificates_enrolled_here_are_renewed_and_redeployed_once_and_imported_ones_are_left_to_notifications()
        {
            var enrolled = StoreAgedCertificate("renew.contoso.com", CertificateSource.Enrolled);
            var imported = StoreAgedCertificate("elsewhere.contoso.com", CertificateSource.Imported);
            var sink = new RecordingSink();
            new InventoryOperations(_ws, sink).QueryWithRenewal(new CertificateQuery { NeedsRenewal = true }).Select(c => c.Thumbprint)
                .Should().BeEquivalentTo(new[] { enrolled.Thumbprint, imported.Thumbprint }, "both are due under the default policy");
            var pem = _home.File("renew.pem");
            new InventoryOperations(_ws, sink).ExportToFile(new CertificateSelector(null, enrolled.Thumbprint, null), ExportFormat.Pem, false, null,
                new ExportFileOptions { Path = pem }).Should().NotBeNull();
            sink.Errors.Should().BeEmpty();

            var pass = Pass();
            pass.RenewalsSubmitted.Should().Be(1, "only the certificate enrolled here is renewed on its own: an imported one's key is elsewhere");
            pass.Renewed.Should().Be(1);
            var successor = _ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = enrolled.Thumbprint }).Single().RenewedBy;
            successor.Should().NotBeNull();
            CertificateReader.Read(Pem.Certificates(File.ReadAllText(pem), "the exported file").Single()).ThumbprintSha1.Should().Be(successor, "the successor replaced the exported file");
            Events(EventIds.CertificateRenewed).Should().ContainSingle().Which.Message.Should().Contain(pem);
            _ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = imported.Thumbprint }).Single().RenewedBy.Should().BeNull();

            Pass().RenewalsSubmitted.Should().Be(0, "the renewed certificate has its successor, and the successor is not due");
        }

        [Fact]
        public void A_policy_that_makes_certificates_due_from_issue_renews_nothing_on_its_own_and_says_why()
        {
            var sink = new RecordingSink();
            new OrderOperations(_ws, sink).Fetch(new[] { Submit("eager.contoso.com") });
            var settings = new Dictionary<string, string>(_ws.Store.GetConnector("lab")!.Settings) { ["renewBeforeDays"] = "3650" };
            new ConnectorOperations(_ws, sink).Update("lab", new ConnectorChanges { Settings = settings }, null);
            sink.Errors.Should().BeEmpty();

            var pass = new RecordingSink();
            new MaintenanceOperation(_ws, pass).RunOnce(new MaintenanceOptions()).RenewalsSubmitted.Should().Be(0, "its successor would be due at once, and renewed on every pass");
            pass.Warnings.Should().ContainSingle(w => w.Contains("due from the moment it was issued") && w.Contains("renewBeforeDays"));
            Events(EventIds.RenewalFailed).Should().ContainSingle().Which.ErrorId.Should().Be("RenewalPolicyTooEager");
        }

        [Fact]
        public void With_autoRenew_off_a_due_certificate_is_not_renewed()
        {
            StoreAgedCertificate("manual.contoso.com", CertificateSource.Enrolled);
            var sink = new RecordingSink();
            var settings = new Dictionary<string, string>(_ws.Store.GetConnector("lab")!.Settings) { ["autoRenew"] = "false" };
            new ConnectorOperations(_ws, sink).Update("lab", new ConnectorChanges { Settings = settings }, null);
            sink.Errors.Should().BeEmpty();
            Pass().RenewalsSubmitted.Should().Be(0);

            var refused = new RecordingSink();
            new ConnectorOperations(_ws, refused).Update("lab", new ConnectorChanges { Settings = new Dictionary<string, string>(settings) { ["autoRenew"] = "sometimes" } }, null);
            refused.Errors.Should().ContainSingle().Which.Message.Should().Contain("autoRenew").And.Contain("true or false");
        }

        [Fact]
        public void Two_passes_at_once_never_do_the_same_work()
        {
            StoreAgedCertificate("race1.contoso.com", CertificateSource.Enrolled);
            StoreAgedCertificate("race2.contoso.com", CertificateSource.Enrolled);

            using var other = Workspace.Open(_home.Path);
            var reports = new MaintenanceReport[2];
            using var start = new Barrier(2);
            var threads = new[] { _ws, other }.Select((ws, i) => new Thread(() =>
            {
                start.SignalAndWait();
                reports[i] = new MaintenanceOperation(ws, new RecordingSink()).RunOnce(new MaintenanceOptions());
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join(TimeSpan.FromMinutes(2)).Should().BeTrue());

            reports.Sum(r => r.Imports).Should().Be(1, "one pass imports, the other finds the import taken or done");
            reports.Sum(r => r.RenewalsSubmitted).Should().Be(2, "each certificate is renewed once between them");
            _ws.Store.QueryOrders(new OrderQuery()).Count(o => o.Renews != null).Should().Be(2);
        }

        [Fact]
        public void An_embedded_CA_republishes_its_CRL_once_half_its_validity_is_gone()
        {
            var ca = Ca;
            var published = CrlReader.Read(ca.CurrentCrl());
            ca.PublishCrlIfDue(DateTimeOffset.UtcNow).Should().BeNull("a fresh CRL is left alone");
            Pass().CrlsPublished.Should().Be(0);

            var halfway = published.ThisUpdate + TimeSpan.FromTicks((published.NextUpdate!.Value - published.ThisUpdate).Ticks / 2) + TimeSpan.FromSeconds(1);
            var next = ca.PublishCrlIfDue(halfway);
            next.Should().NotBeNull();
            long.Parse(CrlReader.Read(next!).CrlNumber!).Should().Be(long.Parse(published.CrlNumber!) + 1);
        }

        [Fact]
        public void Events_carry_their_ids_areas_and_logs_and_read_back_with_filters()
        {
            var pending = Submit("events.contoso.com", "WebServerApproval");
            var denied = new RecordingSink();
            new OrderOperations(_ws, denied).Deny(new[] { pending });
            Pass();

            var requested = Events(EventIds.RequestPending).Single();
            requested.Area.Should().Be("Enrollment");
            requested.Log.Should().Be(EventChannel.Admin);
            requested.Connector.Should().Be("lab");
            requested.Target.Should().Be(pending.Id.ToString());
            Events(EventIds.RequestDenied).Should().ContainSingle().Which.Level.Should().Be(EventLevel.Error);
            Events(EventIds.MaintenancePassStarted, EventIds.MaintenancePassFinished).Select(e => e.Id).Should().Equal(EventIds.MaintenancePassFinished, EventIds.MaintenancePassStarted);
            _ws.Events.Read(new EventQuery { Area = "Maintenance" }, out _).Should().OnlyContain(e => e.Id >= 7000 && e.Id < 8000);
            _ws.Events.Read(new EventQuery { Log = EventChannel.Admin }, out _).Should().OnlyContain(e => e.Log == EventChannel.Admin);
            _ws.Events.Read(new EventQuery { Newest = 2 }, out _).Should().HaveCount(2);
            _ws.Events.Read(new EventQuery { Since = DateTimeOffset.UtcNow.AddMinutes(1) }, out _).Should().BeEmpty();

            var read = () => new EventOperations(_ws, new RecordingSink()).Read(new EventQuery { Area = "Weather" });
            read.Should().Throw<PscException>().Which.ErrorId.Should().Be("InvalidEventArea");
        }

        [Fact]
        public void The_event_log_rotates_by_size_keeps_five_files_and_passes_over_a_torn_line()
        {
            var folder = _home.File("rotating");
            var log = new EventLog(folder, maxBytes: 2_000);
            for (int i = 0; i < 100; i++) log.Write(EventIds.NotificationSent, EventChannel.Operational, $"message {i:000} " + new string('x', 100));
            Directory.GetFiles(folder, "*.jsonl").Select(Path.GetFileName).Should().BeEquivalentTo("events.jsonl", "events.1.jsonl", "events.2.jsonl", "events.3.jsonl", "events.4.jsonl");
            Directory.GetFiles(folder, "*.jsonl").Should().OnlyContain(f => new FileInfo(f).Length <= 2_000);
            var kept = log.Read(new EventQuery(), out var unreadable);
            unreadable.Should().Be(0);
            kept.First().Message.Should().StartWith("message 099", "newest first");
            kept.Select(e => e.Message.Substring(8, 3)).Should().BeInDescendingOrder().And.OnlyHaveUniqueItems();

            File.AppendAllText(log.CurrentFile, "{\"time\":\"2026-12-04T10:00:00Z\",\"id\":60"); // a process killed mid-line
            var afterTear = log.Read(new EventQuery(), out unreadable);
            unreadable.Should().Be(1);
            afterTear.Should().HaveCount(kept.Count);
        }
    }
}
