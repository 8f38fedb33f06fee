using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Connectors.Dcom;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;
using Xunit;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// The adcs-dcom connector's logic (mapping, paging, watermarks, revoked-row sync, error translation)
    /// through the real operations and inventory, over the in-memory COM seam: Windows COM is the one
    /// boundary this machine cannot reach.
    /// </summary>
    public sealed class DcomConnectorTests : IDisposable
    {
        private const string Config = "ca01.contoso.com\\Contoso Issuing CA";
        private readonly TempHome _home = new();
        private readonly InMemoryCaCom _ca = new();
        private readonly Workspace _workspace;

        public DcomConnectorTests()
        {
            var registry = ConnectorRegistry.CreateDefault();
            registry.Register(new DcomConnectorType(() => _ca));
            _workspace = Workspace.Open(_home.Path, registry);
            var sink = new RecordingSink();
            new ConnectorOperations(_workspace, sink).Add(new ConnectorDefinition
            {
                Name = "corp", Type = "adcs-dcom", BusinessUnit = "IT", Settings = new Dictionary<string, string> { ["config"] = Config },
            }, null);
            sink.Errors.Should().BeEmpty();
        }

        public void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        private static byte[] Csr(string cn)
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            return CsrBuilder.Build(new RequestSpec { Subject = "CN=" + cn, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key);
        }

        private OrderRecord Submit(string template, string cn, RecordingSink? sink = null)
        {
            sink ??= new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit("corp", template, Csr(cn));
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            return order!;
        }

        private ImportRunRecord Import(int batchSize, ImportMode mode = ImportMode.Incremental, RecordingSink? sink = null)
        {
            sink ??= new RecordingSink();
            new ImportOperation(_workspace, sink).Import(new[] { "corp" }, new ImportOptions { BatchSize = batchSize, Mode = mode });
            return sink.Objects.OfType<ImportRunRecord>().LastOrDefault() ?? throw new InvalidOperationException(string.Join("; ", sink.Errors.Select(e => e.Message)));
        }

        [Fact]
        public void Submit_maps_an_issued_request_with_its_template_and_chain()
        {
            var order = Submit("ContosoWeb", "web1.contoso.com");
            order.Status.Should().Be(SubmitStatus.Issued);
            order.RequestId.Should().Be("1");
            CertificateReader.Read(order.Certificate!).CommonName.Should().Be("web1.contoso.com");
            order.Chain.Should().ContainSingle().Which.Should().Equal(_ca.CaCertificate);
            _ca.Rows.Single().Template.Should().StartWith("1.3.6.1.4.1.311.21.8.", "the CA records a v2 template by its OID");
        }

        [Fact]
        public void Templates_come_from_the_ca_with_their_oids()
        {
            var sink = new RecordingSink();
            new TemplateOperations(_workspace, sink).Get("corp", refresh: true);
            var templates = sink.All<TemplateRecord>().ToDictionary(t => t.Name, t => t.Template.Oid);
            templates.Keys.Should().BeEquivalentTo("WebServer", "ContosoWeb", "ContosoWebApproval");
            templates["WebServer"].Should().BeNull("a version 1 template has no OID");
        }

        [Fact]
        public void A_template_the_ca_does_not_issue_is_a_denial_with_the_hresult_not_an_exception()
        {
            // Straight to the CA, around the template cache (which would refuse the name first).
            var result = _workspace.Connect("corp").Submit(Csr("y.contoso.com"), "NotPublished", new Dictionary<string, string>(), default);
            result.Status.Should().Be(SubmitStatus.Denied);
            unchecked((uint)result.HResult).Should().Be(0x80094800);
            result.DispositionMessage.Should().Contain("not supported");
            result.RequestId.Should().NotBeNull("AD CS keeps a row for a denied request");
        }

        [Fact]
        public void A_renewal_goes_to_the_ca_as_a_pkcs7_signed_with_the_old_key_and_needs_no_second_approval()
        {
            var built = new RecordingSink();
            var request = new RequestOperations(_workspace, built).Build(new RequestSpec { Subject = "CN=renew.contoso.com,O=Contoso", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 })!;
            var sink = new RecordingSink();
            var first = new OrderOperations(_workspace, sink).Submit("corp", "ContosoWebApproval", request.Csr)!;
            new OrderOperations(_workspace, sink).Approve(new[] { first });
            new OrderOperations(_workspace, sink).Fetch(new[] { _workspace.Store.GetOrder(first.Id)! });
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            var old = sink.Single<CertificateRecord>();

            var renewed = new RecordingSink();
            new RenewalOperations(_workspace, renewed).Renew(new[] { new CertificateSelector(null, old.Thumbprint, null) }, new RenewOptions());

            renewed.Errors.Should().BeEmpty(string.Join("; ", renewed.Errors.Select(e => e.Message)));
            var result = renewed.Single<RenewalResult>();
            result.SignedWithOldKey.Should().BeTrue();
            result.Status.Should().Be(SubmitStatus.Issued, "the CA renews a valid certificate of the same template without approval");
            var row = _ca.Rows.Last();
            row.Sent.Should().NotBeNull("the request went through the seam as a PKCS#7");
            var (inner, signer) = SignedRenewalRequest.Open(row.Sent!);
            signer.Should().Equal(old.Der, "the old certificate signs its renewal");
            CsrParser.Parse(inner).Subject.Should().Be("CN=renew.contoso.com,O=Contoso");
            CsrParser.Parse(inner).PublicKeyId.Should().NotBe(old.KeyId, "a new key");
            _workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = old.Thumbprint }).Single().RenewedBy.Should().Be(result.Thumbprint);
        }

        [Fact]
        public void Pending_requests_are_approved_with_resubmit_and_denials_keep_their_hresult()
        {
            var pending = Submit("ContosoWebApproval", "approve.contoso.com");
            pending.Status.Should().Be(SubmitStatus.Pending);
            var sink = new RecordingSink();
            new OrderOperations(_workspace, sink).Approve(new[] { pending });
            sink.Errors.Should().BeEmpty();
            sink.Single<OrderRecord>().Status.Should().Be(SubmitStatus.Issued);
            _ca.Calls.Should().Contain("Resubmit");

            var other = Submit("ContosoWebApproval", "deny.contoso.com");
            new OrderOperations(_workspace, new RecordingSink()).Deny(new[] { other });
            var denied = _workspace.Store.GetOrder(other.Id)!;
            denied.Status.Should().Be(SubmitStatus.Denied);
            unchecked((uint)denied.HResult).Should().Be(0x80094014);

            // Approving what is no longer pending is the CA's "bad request state", said plainly.
            var again = new RecordingSink();
            new OrderOperations(_workspace, again).Approve(new[] { denied });
            again.Errors.Single().ErrorId.Should().Be("RequestNotPending");
        }

        [Fact]
        public void Revoke_sends_the_serial_as_plain_hex_the_reason_number_and_a_utc_date_and_release_hold_unrevokes()
        {
            var order = Submit("ContosoWeb", "revoke.contoso.com");
            var connector = _workspace.Connect("corp");
            var spaced = string.Join(" ", Enumerable.Range(0, order.SerialNumber!.Length / 2).Select(i => order.SerialNumber.Substring(i * 2, 2).ToLowerInvariant()));
            var effective = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.FromHours(2));
            connector.Revoke("0x" + spaced.Replace(" ", ""), RevocationReason.CertificateHold, effective, default);
            _ca.LastRevoke!.Value.Serial.Should().Be(order.SerialNumber).And.MatchRegex("^[0-9A-F]+$");
            _ca.LastRevoke.Value.Reason.Should().Be(6);
            _ca.LastRevoke.Value.Date.Should().Be(new DateTime(2026, 11, 20, 7, 30, 0, DateTimeKind.Utc));
            _ca.LastRevoke.Value.Date.Kind.Should().Be(DateTimeKind.Utc);

            connector.Revoke(order.SerialNumber, RevocationReason.RemoveFromCrl, null, default);
            _ca.LastRevoke.Value.Reason.Should().Be(-1, "ICertAdmin releases a hold with MAXDWORD");
            _ca.Rows.Single().Disposition.Should().Be((int)CaDatabaseDisposition.Issued);

            var act = () => connector.Revoke("DEADBEEF", RevocationReason.KeyCompromise, null, default);
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("CertificateNotFoundOnCa");
        }

        [Fact]
        public void Import_pages_through_the_ca_database_maps_template_oids_and_keeps_revocations()
        {
            for (int i = 0; i < 5; i++) Submit("ContosoWeb", $"host{i}.contoso.com");
            Submit("ContosoWebApproval", "pending.contoso.com");
            var revokedSerial = _ca.Rows[1].Serial!;
            _workspace.Connect("corp").Revoke(revokedSerial, RevocationReason.KeyCompromise, null, default);

            var sink = new RecordingSink();
            var run = Import(batchSize: 2, sink: sink);
            run.Status.Should().Be(ImportRunStatus.Succeeded);
            run.Imported.Should().Be(5, "the pending request has no certificate and is not in the issued/revoked view");
            sink.Progress.Count(p => !p.Completed).Should().Be(3, "five rows in pages of two");
            var inventory = _workspace.Store.QueryCertificates(new CertificateQuery { Connector = "corp" });
            inventory.Should().OnlyContain(c => c.Template == "ContosoWeb" && c.BusinessUnit == "IT");
            var revoked = inventory.Single(c => c.SerialNumber == revokedSerial);
            revoked.Status.Should().Be(CertificateStatus.Revoked);
            revoked.RevocationReason.Should().Be(RevocationReason.KeyCompromise);
        }

        [Fact]
        public void An_incremental_import_brings_new_rows_and_revocations_made_on_the_ca_since()
        {
            for (int i = 0; i < 3; i++) Submit("ContosoWeb", $"a{i}.contoso.com");
            Import(batchSize: 10).Imported.Should().Be(3);

            // On the CA itself (the console): one old certificate revoked, two new ones issued.
            var instant = DateTime.UtcNow.AddMinutes(1);
            _ca.Clock = () => instant;
            _workspace.Connect("corp").Revoke(_ca.Rows[0].Serial!, RevocationReason.Superseded, null, default);
            Submit("ContosoWeb", "b0.contoso.com");
            Submit("ContosoWeb", "b1.contoso.com");

            var run = Import(batchSize: 10);
            run.Imported.Should().Be(2);
            run.Updated.Should().Be(1);
            _workspace.Store.QueryCertificates(new CertificateQuery { Connector = "corp" })
                .Single(c => c.SerialNumber == _ca.Rows[0].Serial).RevocationReason.Should().Be(RevocationReason.Superseded);

            // Nothing new: nothing changes, and the watermark still moves through both phases.
            var quiet = Import(batchSize: 10);
            quiet.Imported.Should().Be(0);
            quiet.Updated.Should().Be(0);
        }

        [Fact]
        public void Revocations_at_the_same_instant_split_across_pages_are_all_synced()
        {
            for (int i = 0; i < 4; i++) Submit("ContosoWeb", $"s{i}.contoso.com");
            Import(batchSize: 10);
            var instant = DateTime.UtcNow.AddMinutes(5);
            _ca.Clock = () => instant;
            foreach (var row in _ca.Rows.Take(3)) _workspace.Connect("corp").Revoke(row.Serial!, RevocationReason.CessationOfOperation, null, default);

            var run = Import(batchSize: 1);
            run.Updated.Should().Be(3);
            _workspace.Store.QueryCertificates(new CertificateQuery { Connector = "corp" }).Count(c => c.Status == CertificateStatus.Revoked).Should().Be(3);
        }

        [Fact]
        public void A_failure_mid_import_keeps_the_committed_pages_and_the_next_run_resumes_after_them()
        {
            for (int i = 0; i < 6; i++) Submit("ContosoWeb", $"r{i}.contoso.com");
            _ca.Fail("ReadRows", 0x800706BA, afterCalls: 1); // the second page's read fails: the CA went away

            var sink = new RecordingSink();
            new ImportOperation(_workspace, sink).Import(new[] { "corp" }, new ImportOptions { BatchSize = 2 });
            sink.Errors.Single().ErrorId.Should().Be("CaUnreachable");
            _workspace.Store.ListImportRuns("corp").Last().Status.Should().Be(ImportRunStatus.Failed);
            _workspace.Store.CountCertificates().Should().Be(2, "the first page was committed with its watermark");
            var watermark = _workspace.Store.GetConnector("corp")!.ImportWatermark;
            watermark.Should().Contain(";2;", "the request-id watermark is the last committed row");

            var rest = Import(batchSize: 2);
            rest.Imported.Should().Be(4);
            _workspace.Store.CountCertificates().Should().Be(6);
        }

        [Fact]
        public void Ca_errors_are_translated_into_what_to_do()
        {
            var connector = _workspace.Connect("corp");

            _ca.Fail("Submit", 0x800706BA);
            var unreachable = FluentActions.Invoking(() => connector.Submit(Csr("u.contoso.com"), "ContosoWeb", new Dictionary<string, string>(), default))
                .Should().Throw<ServiceUnavailableException>().Which;
            unreachable.ErrorId.Should().Be("CaUnreachable");
            unreachable.Message.Should().Contain("certsvc").And.Contain("ca01.contoso.com").And.Contain("135");

            _ca.Fail("Submit", 0x80070005);
            FluentActions.Invoking(() => connector.Submit(Csr("d.contoso.com"), "ContosoWeb", new Dictionary<string, string>(), default))
                .Should().Throw<PscException>().Which.Message.Should().Contain("Request Certificates");

            var pending = Submit("ContosoWebApproval", "p.contoso.com");
            _ca.Fail("Resubmit", 0x80070005);
            var denied = FluentActions.Invoking(() => connector.Approve(pending.RequestId!, default)).Should().Throw<PscException>().Which;
            denied.ErrorId.Should().Be("CaAccessDenied");
            denied.Message.Should().Contain("Issue and Manage Certificates").And.Contain("elevated");

            _ca.Fail("ReadRows", 0x80040154);
            FluentActions.Invoking(() => connector.EnumerateIssued(null, 10, default))
                .Should().Throw<PscException>().Which.Message.Should().Contain("RSAT-ADCS-Mgmt");

            FluentActions.Invoking(() => connector.GetRequest("999", null, default))
                .Should().Throw<PscException>().Which.ErrorId.Should().Be("RequestNotFound");
        }

        [Fact]
        public void The_ca_configuration_is_checked_when_the_connector_is_added()
        {
            var sink = new RecordingSink();
            var operations = new ConnectorOperations(_workspace, sink);
            operations.Add(new ConnectorDefinition { Name = "no-slash", Type = "adcs-dcom", Settings = new Dictionary<string, string> { ["config"] = "ca01.contoso.com" } }, null);
            operations.Add(new ConnectorDefinition { Name = "nothing", Type = "adcs-dcom" }, null);
            operations.Add(new ConnectorDefinition { Name = "parts", Type = "adcs-dcom", Settings = new Dictionary<string, string> { ["host"] = "ca01.contoso.com", ["caName"] = "Contoso Issuing CA" } }, null);
            sink.Errors.Select(e => e.ErrorId).Should().Equal("InvalidSetting", "SettingRequired");
            sink.Errors[0].Message.Should().Contain("host\\CA name");
            sink.Single<ConnectorDefinition>().Name.Should().Be("parts");
        }

        [Fact]
        public void Off_windows_the_real_connector_says_which_https_transports_to_use_and_stores_nothing()
        {
            if (OperatingSystem.IsWindows()) return; // on Windows the real seam is reached instead (see WindowsCaTests)
            using var home = new TempHome();
            using var workspace = Workspace.Open(home.Path);
            var sink = new RecordingSink();
            new ConnectorOperations(workspace, sink).Add(new ConnectorDefinition
            {
                Name = "corp", Type = "adcs-dcom", Settings = new Dictionary<string, string> { ["config"] = Config },
            }, null);
            var error = sink.Errors.Single();
            error.ErrorId.Should().Be("DcomRequiresWindows");
            error.Message.Should().Contain("adcs-ces").And.Contain("adcs-web");
            workspace.Store.ListConnectors().Should().BeEmpty();
        }
    }
}
