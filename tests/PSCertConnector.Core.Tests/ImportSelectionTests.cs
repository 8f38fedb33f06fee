using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Connectors.Dcom;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using Xunit;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// Which certificates an import takes: the connector's selection and a run's override, through the real import and
    /// inventory over the in-memory AD CS (COM is the boundary this machine cannot reach); the embedded CA for SANs.
    /// </summary>
    public class ImportSelectionTests : IDisposable
    {
        private readonly TempHome _home = new();
        private readonly InMemoryCaCom _ca = new();
        private readonly Workspace _workspace;

        public ImportSelectionTests() : this(null) { }

        protected ImportSelectionTests(StoreSettings? store)
        {
            var registry = ConnectorRegistry.CreateDefault();
            registry.Register(new DcomConnectorType(() => _ca));
            _workspace = Workspace.Open(_home.Path, registry, store);
            Add("corp", "adcs-dcom", ("config", _ca.ExpectedConfig));
        }

        public virtual void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        private RecordingSink Add(string name, string type, params (string Key, string Value)[] settings)
        {
            var sink = new RecordingSink();
            new ConnectorOperations(_workspace, sink).Add(new ConnectorDefinition { Name = name, Type = type, Settings = settings.ToDictionary(s => s.Key, s => s.Value) }, null);
            return sink;
        }

        private void Set(string connector, params (string Key, string Value)[] settings)
        {
            var sink = new RecordingSink();
            new ConnectorOperations(_workspace, sink).Update(connector, new ConnectorChanges { Settings = settings.ToDictionary(s => s.Key, s => s.Value) }, null);
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
        }

        private OrderRecord Submit(string template, string cn, string caller = "CONTOSO\\svc-pki")
        {
            _ca.Caller = caller;
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=" + cn, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key);
            // Submitted straight to the CA (as certreq would), so only an import brings it into the inventory.
            var result = _workspace.Connect("corp").Submit(csr, template, new Dictionary<string, string>(), default);
            result.Status.Should().Be(SubmitStatus.Issued);
            return new OrderRecord { RequestId = result.RequestId, SerialNumber = CertificateReader.Read(result.Certificate!).SerialNumber };
        }

        private (ImportRunRecord? Run, RecordingSink Sink) Import(string connector = "corp", ImportSelection? once = null, bool whatIf = false, ImportMode mode = ImportMode.Incremental)
        {
            var sink = new RecordingSink(shouldProcess: !whatIf);
            new ImportOperation(_workspace, sink).Import(new[] { connector }, new ImportOptions { Selection = once, Mode = mode });
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            return (sink.Objects.OfType<ImportRunRecord>().LastOrDefault(), sink);
        }

        private IReadOnlyList<string> Inventory() =>
            _workspace.Store.QueryCertificates(new CertificateQuery()).Select(c => c.CommonName!).OrderBy(n => n).ToList();

        [Fact]
        public void Templates_by_name_or_oid_and_the_requester_decide_what_is_added()
        {
            Submit("ContosoWeb", "web1.contoso.com");
            Submit("WebServer", "v1.contoso.com");
            Submit("ContosoWeb", "other-team.contoso.com", caller: "CONTOSO\\alice");
            new TemplateOperations(_workspace, new RecordingSink()).Get("corp", refresh: true);

            // The OID names ContosoWeb (a version 2 template) as the CA database records it; the requester narrows it further.
            Set("corp", (ImportSelection.TemplatesSetting, "1.3.6.1.4.1.311.21.8.1000.2000.3000.4000.5000.6000.101.1"), (ImportSelection.RequesterSetting, "CONTOSO\\svc-*"));
            var (run, _) = Import();
            run!.Imported.Should().Be(1);
            run.Error.Should().Contain("2 certificate(s) left out by the selection");
            Inventory().Should().Equal("web1.contoso.com");

            // Once, by name, for everyone: a full run adds the one left out; the version 1 template stays out.
            Import(once: new ImportSelection { Templates = new[] { "ContosoWeb" }, Requesters = new[] { "*" } }, mode: ImportMode.Full).Run!.Imported.Should().Be(1);
            Inventory().Should().Equal("other-team.contoso.com", "web1.contoso.com");
            _workspace.Store.GetConnector("corp")!.Settings[ImportSelection.TemplatesSetting].Should().StartWith("1.3.6", "an override is for that run only");
        }

        [Fact]
        public void A_certificate_already_imported_keeps_its_revocation_in_step_when_the_selection_no_longer_takes_it()
        {
            var kept = Submit("ContosoWeb", "kept.contoso.com");
            Import().Run!.Imported.Should().Be(1);

            Set("corp", (ImportSelection.StatusSetting, "issued"), (ImportSelection.SubjectSetting, "*.fabrikam.com"));
            Submit("ContosoWeb", "new.contoso.com");
            _workspace.Connect("corp").Revoke(kept.SerialNumber!, RevocationReason.KeyCompromise, null, default);

            var sink = new RecordingSink();
            new ImportOperation(_workspace, sink).Import(new[] { "corp" }, new ImportOptions { BusinessUnit = "Finance", Tags = new[] { "fabrikam" } });
            var run = sink.Objects.OfType<ImportRunRecord>().Single();
            run.Imported.Should().Be(0, "new.contoso.com does not match *.fabrikam.com");
            run.Updated.Should().Be(1, "the revocation of kept.contoso.com still reaches the inventory");
            var stored = _workspace.Store.QueryCertificates(new CertificateQuery()).Single();
            stored.CommonName.Should().Be("kept.contoso.com");
            stored.RevocationReason.Should().Be(RevocationReason.KeyCompromise);
            stored.BusinessUnit.Should().BeNull("the run's business unit and tags are for what it selects, and kept.contoso.com is left out");
            stored.Tags.Should().NotContain("fabrikam");
        }

        [Fact]
        public void A_page_with_both_kinds_stores_the_selected_and_refreshes_the_revocation_of_those_left_out()
        {
            // 45 rows in one page, 20 of them selected: PostgreSQL stores what the selection takes by COPY and looks up what it leaves out one by one.
            var early = Enumerable.Range(0, 10).Select(i => Submit("ContosoWeb", $"early{i}.contoso.com")).ToList();
            Import().Run!.Imported.Should().Be(10);
            Set("corp", (ImportSelection.SubjectSetting, "*.fabrikam.com"));
            for (int i = 0; i < 20; i++) Submit("ContosoWeb", $"new{i}.fabrikam.com");
            for (int i = 0; i < 15; i++) Submit("ContosoWeb", $"other{i}.contoso.com");
            foreach (var order in early.Take(3)) _workspace.Connect("corp").Revoke(order.SerialNumber!, RevocationReason.Superseded, null, default);

            var (run, _) = Import(mode: ImportMode.Full);
            run!.Imported.Should().Be(20);
            run.Updated.Should().Be(3, "the three revocations of certificates left out but stored");
            run.Error.Should().Contain("15 certificate(s) left out");
            var inventory = _workspace.Store.QueryCertificates(new CertificateQuery());
            inventory.Should().HaveCount(30);
            inventory.Where(c => c.RevocationReason == RevocationReason.Superseded).Select(c => c.CommonName).Should().BeEquivalentTo("early0.contoso.com", "early1.contoso.com", "early2.contoso.com");
            inventory.Should().NotContain(c => c.CommonName!.StartsWith("other"));
        }

        [Fact]
        public void What_if_reports_what_the_import_would_add_refresh_and_leave_out_and_stores_nothing()
        {
            Submit("ContosoWeb", "a.contoso.com");
            Import();
            Submit("ContosoWeb", "b.contoso.com");
            Submit("ContosoWeb", "c.fabrikam.com");
            var watermark = _workspace.Store.GetConnector("corp")!.ImportWatermark;

            var (run, sink) = Import(once: new ImportSelection { Subjects = new[] { "*.contoso.com" } }, whatIf: true, mode: ImportMode.Full);
            run.Should().BeNull();
            var preview = sink.Single<ImportPreview>();
            preview.Should().Be(new ImportPreview("corp", "subject *.contoso.com", WouldAdd: 1, AlreadyStored: 1, LeftOut: 1, Unreadable: 0));
            Inventory().Should().Equal("a.contoso.com");
            _workspace.Store.GetConnector("corp")!.ImportWatermark.Should().Be(watermark);
        }

        [Fact]
        public void Settings_that_cannot_be_read_are_refused_naming_them()
        {
            foreach (var (key, value, expected) in new[]
            {
                (ImportSelection.StatusSetting, "valid", "issued, revoked or expired"),
                (ImportSelection.IssuedAfterSetting, "31/01/2026", "yyyy-MM-dd"),
                ("importTemplate", "WebServer", "Known settings"),
            })
            {
                var sink = new RecordingSink();
                new ConnectorOperations(_workspace, sink).Update("corp", new ConnectorChanges { Settings = new Dictionary<string, string> { [key] = value } }, null);
                sink.Errors.Should().ContainSingle().Which.Message.Should().Contain(key).And.Contain(expected);
            }
        }

        [Fact]
        public void The_embedded_ca_import_selects_by_san_and_issue_date()
        {
            Add("local", "local").Errors.Should().BeEmpty();
            foreach (var (cn, san) in new[] { ("web.contoso.com", "api.contoso.com"), ("mail.fabrikam.com", "smtp.fabrikam.com") })
            {
                var request = new RecordingSink();
                new RequestOperations(_workspace, request).Build(new RequestSpec
                {
                    Subject = "CN=" + cn, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256,
                    SubjectAlternativeNames = new[] { new SubjectAlternativeName(SanType.Dns, san) },
                });
                new OrderOperations(_workspace, request).Submit("local", "WebServer", request.Single<CertificateRequestResult>().Csr);
                request.Errors.Should().BeEmpty();
            }
            var tomorrow = DateTimeOffset.UtcNow.AddDays(1);
            var later = Import("local", once: new ImportSelection { IssuedAfter = tomorrow });
            later.Run!.Imported.Should().Be(0);
            // Orders fetched nothing yet (Submit only), so the import is what brings them in.
            var run = Import("local", once: new ImportSelection { Sans = new[] { "*.contoso.com" } }, mode: ImportMode.Full).Run!;
            run.Imported.Should().Be(1);
            _workspace.Store.QueryCertificates(new CertificateQuery()).Select(c => c.CommonName).Should().Contain("web.contoso.com").And.NotContain("mail.fabrikam.com");
        }
    }
}
