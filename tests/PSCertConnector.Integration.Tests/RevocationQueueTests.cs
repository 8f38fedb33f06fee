using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Lab;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// The revocation queue end to end: a revocation queued while its CA (the Lab's DigiCert ONE over HTTPS) is down is
    /// retried by later maintenance passes and carried out when the CA is back, dated when it was asked for; a CA that
    /// refuses ends the request as Failed; the CLI reads a file of revocations. The CA's CRL shows the result.
    /// </summary>
    public sealed class RevocationQueueTests : IClassFixture<LabFixture>, IDisposable
    {
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();
        private readonly Workspace _ws;

        public RevocationQueueTests(LabFixture lab)
        {
            _lab = lab;
            _ws = Workspace.Open(_home.Path, lab.Registry);
        }

        public void Dispose()
        {
            _ws.Dispose();
            _home.Dispose();
        }

        private CertificateRecord Issue(string connector, string template, string commonName)
        {
            var sink = new RecordingSink();
            var order = new OrderOperations(_ws, sink).Submit(connector, template, LabFixture.NewCsr(commonName));
            new OrderOperations(_ws, sink).Fetch(new[] { order! });
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            return sink.All<CertificateRecord>().Single();
        }

        private MaintenanceReport Pass(RecordingSink? sink = null) => new MaintenanceOperation(_ws, sink ?? new RecordingSink()).RunOnce(new MaintenanceOptions());

        [Fact]
        public async Task A_revocation_queued_while_the_ca_is_down_is_retried_and_carried_out_when_it_is_back()
        {
            var port = Loopback.FreePort();
            var options = new LabOptions { Port = port, ApiKey = LabFixture.ApiKey };
            var server = await LabServer.StartAsync(_lab.Authority, options);
            LabFixture.AddConnector(_ws, "one", "digicert-one", new Dictionary<string, string> { ["url"] = server.BaseUri.AbsoluteUri, ["caBundle"] = _lab.Authority.BundlePath },
                LabFixture.Secret(LabFixture.ApiKey));
            new TemplateOperations(_ws, new RecordingSink()).Get("one", refresh: true);
            var profile = _ws.Store.GetTemplates(_ws.RequireConnector("one")).First(t => t.DisplayName == "Web Server").Name;
            var certificate = Issue("one", profile, "queued.contoso.com");

            await server.DisposeAsync(); // the CA goes down
            var queueSink = new RecordingSink();
            new RevocationQueueOperations(_ws, queueSink).Queue(new[] { new RevocationInput(new CertificateSelector(null, certificate.Thumbprint, null), RevocationReason.KeyCompromise) });
            queueSink.Errors.Should().BeEmpty();
            var queued = queueSink.Single<RevocationRequest>();
            queued.Status.Should().Be(RevocationRequestStatus.Queued);

            var down = new RecordingSink();
            Pass(down).Revocations.Should().Be(0);
            var waiting = _ws.Store.GetRevocation(queued.Id)!;
            waiting.Status.Should().Be(RevocationRequestStatus.Queued, "a CA that is down delays a revocation, it does not lose it");
            waiting.Attempts.Should().Be(1);
            waiting.NextAttemptAt.Should().BeCloseTo(DateTimeOffset.UtcNow + RevocationQueueOperations.FirstRetryDelay, TimeSpan.FromMinutes(1));
            waiting.LastError.Should().NotBeNullOrEmpty();
            down.Warnings.Should().Contain(w => w.Contains("tried again after"));
            _ws.Events.Read(new EventQuery(), out _).Should().Contain(e => e.Id == EventIds.RevocationFailedWillRetry);
            Pass().Revocations.Should().Be(0, "the next attempt is not due yet");
            _ws.Store.GetRevocation(queued.Id)!.Attempts.Should().Be(1);

            await using var back = await LabServer.StartAsync(_lab.Authority, options); // the same address again
            _ws.Store.RetryRevocationNow(queued.Id).Should().BeTrue();
            Pass().Revocations.Should().Be(1);
            var done = _ws.Store.GetRevocation(queued.Id)!;
            done.Status.Should().Be(RevocationRequestStatus.Revoked);
            done.CompletedAt.Should().NotBeNull();
            var revoked = _ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = certificate.Thumbprint }).Single();
            revoked.RevocationReason.Should().Be(RevocationReason.KeyCompromise);
            revoked.RevokedAt.Should().BeCloseTo(queued.RequestedAt, TimeSpan.FromSeconds(2), "the revocation is dated when it was asked for");
            _lab.Authority.Ca.GetBySerial(certificate.SerialNumber).Status.Should().Be(SubmitStatus.Revoked);
            Pass().Revocations.Should().Be(0, "nothing is revoked twice");
        }

        [Fact]
        public void A_ca_that_refuses_ends_the_request_as_failed_with_its_reason_and_a_duplicate_is_not_queued()
        {
            LabFixture.AddConnector(_ws, "ca", "local", new Dictionary<string, string>(), null);
            var certificate = Issue("ca", "WebServer", "refused.contoso.com");
            var operations = new RevocationQueueOperations(_ws, new RecordingSink());
            var selector = new CertificateSelector(null, certificate.Thumbprint, null);
            operations.Queue(new[] { new RevocationInput(selector, RevocationReason.Superseded) });
            var again = new RecordingSink();
            new RevocationQueueOperations(_ws, again).Queue(new[] { new RevocationInput(selector, RevocationReason.KeyCompromise) });
            again.Warnings.Should().ContainSingle().Which.Should().Contain("already queued");
            _ws.Store.ListRevocations(null).Should().HaveCount(1);

            // Someone revokes it on the CA first, with another reason: the queued revocation is then refused.
            ((PSCertConnector.Core.Connectors.Embedded.LocalConnector)_ws.Connect("ca")).Authority.Revoke(certificate.SerialNumber, RevocationReason.CessationOfOperation, null);
            var sink = new RecordingSink();
            Pass(sink).Revocations.Should().Be(0);
            var failed = _ws.Store.ListRevocations(RevocationRequestStatus.Failed).Single();
            failed.LastError.Should().NotBeNullOrEmpty();
            failed.NextAttemptAt.Should().BeNull("a refusal is not retried");
            sink.Errors.Should().ContainSingle();
            _ws.Events.Read(new EventQuery(), out _).Should().Contain(e => e.Id == EventIds.RevocationFailed && e.Message.Contains("not tried again"));
        }

        [Fact]
        public void A_connector_that_cannot_revoke_is_refused_at_once_and_a_release_is_not_queued()
        {
            LabFixture.AddConnector(_ws, "web", "adcs-web", _lab.Settings(_lab.Server), LabFixture.Secret());
            var certificate = Issue("web", "WebServer", "web-only.contoso.com");
            var sink = new RecordingSink();
            new RevocationQueueOperations(_ws, sink).Queue(new[]
            {
                new RevocationInput(new CertificateSelector(null, certificate.Thumbprint, null), RevocationReason.KeyCompromise),
                new RevocationInput(new CertificateSelector(null, certificate.Thumbprint, null), RevocationReason.RemoveFromCrl),
            });
            sink.Errors.Select(e => e.ErrorId).Should().Equal("CapabilityNotSupported", "ReleaseNotQueued");
            _ws.Store.ListRevocations(null).Should().BeEmpty();
        }

        [Fact]
        public void The_cli_queues_a_file_of_revocations_and_maintain_carries_them_out()
        {
            using var home = new TempHome();
            (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(home.Path, args);
            Cli("connector", "add", "ca", "--type", "local").Exit.Should().Be(0);
            var serials = new List<string>();
            foreach (var name in new[] { "a", "b" })
            {
                var csr = home.File(name + ".csr");
                Cli("request", "new", "--subject", $"CN={name}.contoso.com", "--out", csr).Exit.Should().Be(0);
                var order = JsonDocument.Parse(Cli("submit", "--connector", "ca", "--template", "WebServer", "--csr", csr, "--json").Out).RootElement;
                var cert = JsonDocument.Parse(Cli("order", "fetch", order.GetProperty("id").GetInt64().ToString(), "--json").Out).RootElement.EnumerateArray().Single();
                serials.Add(cert.GetProperty("serialNumber").GetString()!);
            }
            var bad = home.File("bad.txt");
            File.WriteAllText(bad, $"serial,reason\n{serials[0]},not-a-reason\n");
            var refused = Cli("revoke", "--queue", "--file", bad, "--yes");
            refused.Exit.Should().NotBe(0);
            refused.Err.Should().Contain("line 2").And.Contain("not-a-reason");

            var list = home.File("revocations.txt");
            File.WriteAllText(list, $"# revocations from the HR system\n{serials[0]},key-compromise\n{serials[1]}\n");
            var queued = Cli("revoke", "--queue", "--file", list, "--reason", "superseded", "--yes", "--json");
            queued.Exit.Should().Be(0, queued.Err);
            var requests = JsonDocument.Parse(queued.Out).RootElement.EnumerateArray().ToList();
            requests.Select(r => r.GetProperty("reason").GetString()).Should().Equal("keyCompromise", "superseded");

            var table = Cli("revocation", "list", "--status", "queued");
            table.Out.Should().Contain(serials[0]).And.Contain("Queued");
            var pass = JsonDocument.Parse(Cli("maintain", "--json").Out).RootElement;
            pass.GetProperty("revocations").GetInt32().Should().Be(2);
            var after = JsonDocument.Parse(Cli("revocation", "list", "--json").Out).RootElement.EnumerateArray().ToList();
            after.Should().OnlyContain(r => r.GetProperty("status").GetString() == "revoked");
            Cli("crl", "show", "--connector", "ca", "--json").Out.Should().Contain(serials[0]).And.Contain(serials[1]);
        }
    }
}
