using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>The digicert-certcentral connector against the Lab's CertCentral emulation over real HTTPS.</summary>
    public sealed class CertCentralTests : IClassFixture<LabFixture>, IDisposable
    {
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();
        private readonly Workspace _workspace;

        public CertCentralTests(LabFixture lab)
        {
            _lab = lab;
            _workspace = Workspace.Open(_home.Path);
        }

        public void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        private ConnectorDefinition Central(string name = "cc", params (string Key, string Value)[] extra)
        {
            var settings = new Dictionary<string, string>
            {
                ["url"] = _lab.Server.BaseUri.AbsoluteUri,
                ["caBundle"] = _lab.Authority.BundlePath,
                ["organizationId"] = "112233",
            };
            foreach (var (key, value) in extra) settings[key] = value;
            return LabFixture.AddConnector(_workspace, name, "digicert-certcentral", settings, LabFixture.Secret(LabFixture.ApiKey));
        }

        private OrderRecord Order(string connector, string product, string commonName)
        {
            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit(connector, product, LabFixture.NewCsr(commonName));
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            return order!;
        }

        [Fact]
        public void Products_are_templates_and_an_order_is_issued_with_its_chain()
        {
            Central();
            _workspace.Connect("cc").Test(default).Success.Should().BeTrue();
            var order = Order("cc", "WebServer", "cc-now.contoso.com");
            order.Status.Should().Be(SubmitStatus.Issued);
            order.Chain.Should().HaveCount(2);
            var pem = _home.File("cc.pem");
            File.WriteAllText(pem, Pem.Encode("CERTIFICATE", order.Certificate!));
            OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{pem}\"").Should().Contain("OK");
        }

        [Fact]
        public void An_order_that_needs_approval_is_pending_until_approved_then_downloaded()
        {
            Central();
            var order = Order("cc", "WebServerApproval", "cc-wait.contoso.com");
            order.Status.Should().Be(SubmitStatus.Pending);
            order.DispositionMessage.Should().Be("needs_approval");

            _lab.Authority.Ca.Approve(long.Parse(order.RequestId!)); // an administrator approves it in CertCentral
            var fetch = new RecordingSink();
            new OrderOperations(_workspace, fetch).Fetch(new[] { order });
            fetch.Errors.Should().BeEmpty();
            fetch.Single<CertificateRecord>().CommonName.Should().Be("cc-wait.contoso.com");
        }

        [Fact]
        public void Revocation_waits_for_approval_unless_the_connector_may_approve_or_skip_it()
        {
            Central();
            var waiting = Order("cc", "WebServer", "cc-rev1.contoso.com");
            var act = () => _workspace.Connect("cc").Revoke(waiting.SerialNumber!, RevocationReason.KeyCompromise, null, default);
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("RevocationAwaitsApproval");
            _lab.Authority.Ca.GetBySerial(waiting.SerialNumber!).Status.Should().Be(SubmitStatus.Issued, "nobody approved the revocation");

            Central("cc-approve", ("approveRevocations", "true"));
            _workspace.Connect("cc-approve").Revoke(waiting.SerialNumber!, RevocationReason.KeyCompromise, null, default);
            _lab.Authority.Ca.GetBySerial(waiting.SerialNumber!).Status.Should().Be(SubmitStatus.Revoked);

            Central("cc-skip", ("skipApproval", "true"));
            var skipped = Order("cc-skip", "WebServer", "cc-rev2.contoso.com");
            _workspace.Connect("cc-skip").Revoke(skipped.SerialNumber!, RevocationReason.Superseded, null, default);
            _lab.Authority.Ca.GetBySerial(skipped.SerialNumber!).Status.Should().Be(SubmitStatus.Revoked);

            var hold = () => _workspace.Connect("cc-skip").Revoke(skipped.SerialNumber!, RevocationReason.CertificateHold, null, default);
            hold.Should().Throw<PscException>().Which.ErrorId.Should().Be("ReasonNotSupported");
        }

        [Fact]
        public void Import_walks_status_changes_in_windows_under_seven_days()
        {
            Central("cc-import", ("importSinceDays", "20"), ("skipApproval", "true"));
            var issued = Order("cc-import", "WebServer", "cc-imp1.contoso.com");
            var revoked = Order("cc-import", "WebServer", "cc-imp2.contoso.com");
            _workspace.Connect("cc-import").Revoke(revoked.SerialNumber!, RevocationReason.Superseded, null, default);

            var sink = new RecordingSink();
            new ImportOperation(_workspace, sink).Import(new[] { "cc-import" }, new ImportOptions());
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            sink.Progress.Count(p => !p.Completed).Should().Be(4, "20 days in windows of at most six days");
            var inventory = _workspace.Store.QueryCertificates(new CertificateQuery { Connector = "cc-import" });
            inventory.Should().Contain(c => c.SerialNumber == issued.SerialNumber && c.Status == CertificateStatus.Valid);
            inventory.Should().Contain(c => c.SerialNumber == revoked.SerialNumber && c.Status == CertificateStatus.Revoked);
        }

        [Fact]
        public void An_unknown_product_is_refused_with_certcentrals_code()
        {
            var definition = Central();
            var act = () => _workspace.Connect(definition).Submit(LabFixture.NewCsr("x.contoso.com"), "ssl_nonexistent", new Dictionary<string, string>(), default);
            act.Should().Throw<PscException>().Which.Message.Should().Contain("not_found|product");
        }

        [Fact]
        public void Revoking_a_serial_certcentral_does_not_know_is_certificate_not_found()
        {
            var definition = Central();
            var act = () => _workspace.Connect(definition).Revoke("0A1B2C3D4E5F", RevocationReason.KeyCompromise, null, default);
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("CertificateNotFoundOnCa");
            error.Message.Should().Contain("0A1B2C3D4E5F");
        }
    }
}
