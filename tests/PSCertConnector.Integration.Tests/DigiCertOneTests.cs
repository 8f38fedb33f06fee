using System.Net;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.DigiCert;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core.Connectors.Embedded;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>The digicert-one connector against the Lab's DigiCert ONE emulation over real HTTPS, and against a server that misbehaves.</summary>
    public sealed class DigiCertOneTests : IClassFixture<LabFixture>, IAsyncLifetime
    {
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();
        private Workspace _workspace = null!;
        private WebApplication _hostile = null!;
        private int _hostilePort;
        private int _hostileCalls;

        public DigiCertOneTests(LabFixture lab) => _lab = lab;

        public async Task InitializeAsync()
        {
            _workspace = Workspace.Open(_home.Path, _lab.Registry);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(_lab.Authority.TlsCertificate)));
            _hostile = builder.Build();
            _hostile.Run(Misbehave);
            await _hostile.StartAsync();
            _hostilePort = new Uri(_hostile.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        }

        public async Task DisposeAsync()
        {
            _workspace.Dispose();
            await _hostile.DisposeAsync();
            _home.Dispose();
        }

        private ConnectorDefinition One(string name = "one", string? url = null, string apiKey = LabFixture.ApiKey, string? businessUnit = null) =>
            LabFixture.AddConnector(_workspace, name, "digicert-one", new Dictionary<string, string>
            {
                ["url"] = url ?? _lab.Server.BaseUri.AbsoluteUri,
                ["caBundle"] = _lab.Authority.BundlePath,
            }, LabFixture.Secret(apiKey), businessUnit: businessUnit);

        private string ProfileOf(string template) =>
            _workspace.Store.GetTemplates(_workspace.RequireConnector("one")).Single(t => t.DisplayName == PSCertConnector.Core.Connectors.Embedded.EmbeddedCaTemplates.Find(template)!.DisplayName).Name;

        private (OrderRecord? Order, RecordingSink Sink) Submit(string profile, string commonName)
        {
            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit("one", profile, LabFixture.NewCsr(commonName));
            return (order, sink);
        }

        [Fact]
        public void Profiles_are_templates_and_the_approval_profile_is_flagged()
        {
            One();
            _workspace.Connect("one").Test(default).Message.Should().Contain("7 active profile(s)");
            var sink = new RecordingSink();
            new TemplateOperations(_workspace, sink).Get("one", refresh: true);
            var templates = sink.All<TemplateRecord>();
            templates.Should().HaveCount(7);
            templates.Select(t => Guid.TryParse(t.Name, out var id)).Should().OnlyContain(ok => ok, "a DigiCert ONE profile is named by its id");
            templates.Where(t => t.DisplayName.Contains("approval")).Should().HaveCount(3).And.OnlyContain(t => t.RequiresApproval);
        }

        [Fact]
        public void A_request_is_issued_at_once_and_openssl_verifies_it()
        {
            One();
            new TemplateOperations(_workspace, new RecordingSink()).Get("one", refresh: true);
            var (order, sink) = Submit(ProfileOf("WebServer"), "one.contoso.com");
            sink.Errors.Should().BeEmpty();
            order!.Status.Should().Be(SubmitStatus.Issued);
            order.RequestId.Should().Be(order.SerialNumber, "an order issued at once is known by its serial");
            order.Chain.Should().HaveCount(2);
            var pem = _home.File("one.pem");
            File.WriteAllText(pem, Pem.Encode("CERTIFICATE", order.Certificate!));
            OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{pem}\"").Should().Contain("OK");
        }

        [Fact]
        public void A_profile_that_requires_an_email_refuses_a_request_without_one_as_an_attribute_mismatch_and_stores_nothing()
        {
            One();
            new TemplateOperations(_workspace, new RecordingSink()).Get("one", refresh: true);
            var (order, sink) = Submit(ProfileOf("User"), "alice");
            order.Should().BeNull();
            var error = sink.Errors.Should().ContainSingle().Which;
            error.ErrorId.Should().Be("AttributeMismatch");
            error.Message.Should().Contain("requires an email address").And.Contain("-IntuneSubjectFormat");
            _workspace.Store.QueryOrders(new OrderQuery()).Should().BeEmpty("a refused request leaves no order behind");

            // The same user built with the guide's rules (CN plus an email SAN) is accepted.
            var (spec, _) = IntuneRules.Apply(new RequestSpec { Subject = "CN=alice" }, new IntuneIdentity
            {
                SubjectFormat = IntuneSubjectFormat.CommonName, CommonName = "alice", Email = "alice@contoso.com",
            });
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var accepted = new OrderOperations(_workspace, sink).Submit("one", ProfileOf("User"), CsrBuilder.Build(spec, key));
            accepted!.Status.Should().Be(SubmitStatus.Issued);
        }

        [Fact]
        public void The_ra_certificate_from_a_pfx_authenticates_instead_of_the_api_key()
        {
            var pfx = _lab.IssueClientPfx(_home.File("ra.pfx"), "intune-ra", "ra-pass");
            LabFixture.AddConnector(_workspace, "one-ra", "digicert-one", new Dictionary<string, string>
            {
                ["url"] = _lab.Server.BaseUri.AbsoluteUri, ["caBundle"] = _lab.Authority.BundlePath,
                ["authentication"] = "Certificate", ["clientCertificate"] = pfx,
            }, LabFixture.Secret("ra-pass"));

            _workspace.Connect("one-ra").Test(default).Success.Should().BeTrue(); // the workspace owns open connectors
            new TemplateOperations(_workspace, new RecordingSink()).Get("one-ra", refresh: true);
            var profile = _workspace.Store.GetTemplates(_workspace.RequireConnector("one-ra")).Single(t => t.DisplayName == "Web Server").Name;
            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit("one-ra", profile, LabFixture.NewCsr("ra-enrolled.contoso.com"));
            sink.Errors.Should().BeEmpty();
            order!.Status.Should().Be(SubmitStatus.Issued);
        }

        [Fact]
        public void An_unknown_profile_is_named_as_such_with_where_to_find_the_ids()
        {
            One();
            var connector = _workspace.Connect("one");
            var act = () => connector.Submit(LabFixture.NewCsr("x.contoso.com"), "2b6c0f1e-0000-4000-8000-000000000000", new Dictionary<string, string>(), default);
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("UnknownProfile");
            error.Message.Should().Contain("2b6c0f1e-0000-4000-8000-000000000000").And.Contain("template list");
        }

        [Fact]
        public void A_pending_request_is_picked_up_after_approval_then_revoked_held_and_resumed()
        {
            One();
            new TemplateOperations(_workspace, new RecordingSink()).Get("one", refresh: true);
            var (pending, _) = Submit(ProfileOf("WebServerApproval"), "wait.contoso.com");
            pending!.Status.Should().Be(SubmitStatus.Pending);
            pending.ReferenceUri.Should().StartWith("digicert-one-pickup:");

            new OrderOperations(_workspace, new RecordingSink()).Refresh(new[] { pending });
            _workspace.Store.GetOrder(pending.Id)!.Status.Should().Be(SubmitStatus.Pending, "the pickup says PENDING until someone approves");

            new OrderOperations(_workspace, new RecordingSink()).Approve(new[] { pending });
            var fetch = new RecordingSink();
            new OrderOperations(_workspace, fetch).Fetch(new[] { pending });
            fetch.Errors.Should().BeEmpty(string.Join("; ", fetch.Errors.Select(e => e.Message)));
            var certificate = fetch.Single<CertificateRecord>();
            certificate.CommonName.Should().Be("wait.contoso.com");

            var connector = _workspace.Connect("one");
            connector.Revoke(certificate.SerialNumber, RevocationReason.CertificateHold, null, default);
            _lab.Authority.Ca.GetBySerial(certificate.SerialNumber).Status.Should().Be(SubmitStatus.Revoked);
            connector.ReleaseHold(certificate.SerialNumber, default);
            _lab.Authority.Ca.GetBySerial(certificate.SerialNumber).Status.Should().Be(SubmitStatus.Issued);
            connector.Revoke(certificate.SerialNumber, RevocationReason.KeyCompromise, null, default);

            var again = () => connector.Revoke(certificate.SerialNumber, RevocationReason.KeyCompromise, null, default);
            again.Should().Throw<PscException>().Which.Message.Should().Contain("already has been revoked");
            var unknown = () => connector.Revoke("0BADC0DE", RevocationReason.KeyCompromise, null, default);
            unknown.Should().Throw<PscException>().Which.ErrorId.Should().Be("CertificateNotFoundOnCa");
        }

        [Fact]
        public void Import_pages_certificate_search_and_keeps_revocations_with_their_reason()
        {
            One(businessUnit: "Web");
            new TemplateOperations(_workspace, new RecordingSink()).Get("one", refresh: true);
            var serials = Enumerable.Range(0, 3).Select(i => Submit(ProfileOf("WebServer"), $"imp{i}.contoso.com").Order!.SerialNumber!).ToList();
            _workspace.Connect("one").Revoke(serials[1], RevocationReason.Superseded, null, default);

            var sink = new RecordingSink();
            new ImportOperation(_workspace, sink).Import(new[] { "one" }, new ImportOptions { BatchSize = 2 });
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            var run = sink.Single<ImportRunRecord>();
            run.Imported.Should().BeGreaterThanOrEqualTo(3, "the Lab CA may hold certificates from the other tests too");
            var revoked = _workspace.Store.QueryCertificates(new CertificateQuery { SerialNumber = serials[1] }).Single();
            revoked.Status.Should().Be(CertificateStatus.Revoked);
            revoked.RevocationReason.Should().Be(RevocationReason.Superseded);
            _workspace.Store.QueryCertificates(new CertificateQuery { SerialNumber = serials[0] }).Single().Template.Should().Be("Web Server");

            // A second run reads the search again from the start and changes nothing.
            var second = new RecordingSink();
            new ImportOperation(_workspace, second).Import(new[] { "one" }, new ImportOptions { BatchSize = 50 });
            second.Single<ImportRunRecord>().Imported.Should().Be(0);
        }

        [Fact]
        public void A_wrong_api_key_is_an_authentication_error_that_does_not_show_the_key()
        {
            var definition = One("bad-key", apiKey: "not-the-key-987");
            var act = () => _workspace.Connect(definition).GetTemplates(default);
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("AuthenticationFailed");
            error.Message.Should().Contain("invalid_api_key").And.NotContain("not-the-key-987");
        }

        // ------------------------------------------------------------------ a server that misbehaves

        private async Task Misbehave(HttpContext context)
        {
            Interlocked.Increment(ref _hostileCalls);
            var path = context.Request.Path.Value ?? "";
            async Task Reply(int status, string type, string body)
            {
                context.Response.StatusCode = status;
                context.Response.ContentType = type;
                await context.Response.WriteAsync(body);
            }
            if (path.EndsWith("/hello")) { await Reply(200, "text/plain", "Hello"); return; }
            switch (path.Split('/')[1])
            {
                case "html": await Reply(200, "text/html", "<html><title>Sign in</title></html>"); break;
                case "empty": await Reply(200, "application/json", ""); break;
                case "wrongtype": await Reply(200, "application/json", "{\"total\": \"many\", \"items\": 7}"); break;
                case "endless": await Reply(200, "application/json", "{\"total\": 1000000, \"offset\": 0, \"limit\": 2, \"items\": []}"); break;
                case "busy":
                    context.Response.Headers.RetryAfter = "1";
                    await Reply(503, "application/json", "{\"errors\":[{\"code\":\"service_unavailable\",\"message\":\"Try later\"}]}");
                    break;
                case "throttled":
                    context.Response.Headers.RetryAfter = "0";
                    await Reply(429, "application/json", "{\"error\":{\"code\":\"too_many_requests\",\"message\":\"Slow down\"}}");
                    break;
                default: context.Response.StatusCode = 404; break;
            }
        }

        private PscException Failing(string mode, Func<ICaConnector, object> call)
        {
            var definition = One(mode, url: $"https://localhost:{_hostilePort}/{mode}");
            // A hostile server, not the Lab: the production connector type, without the Lab's approval wrapper.
            using var production = Workspace.Open(_home.Path);
            var connector = production.Connect(definition);
            var waits = new List<TimeSpan>();
            ((DigiCertOneConnector)connector).Channel.Sleep = (delay, _) => waits.Add(delay);
            var act = () => call(connector);
            var error = act.Should().Throw<PscException>().Which;
            if (mode is "busy" or "throttled") waits.Should().HaveCount(DigiCertJsonChannel.MaxRetries, "retries are bounded and honour Retry-After");
            return error;
        }

        [Fact]
        public void Html_empty_and_wrongly_typed_bodies_are_clear_errors()
        {
            Failing("html", c => c.GetTemplates(default)).Message.Should().Contain("HTML page").And.Contain("Sign in");
            Failing("empty", c => c.GetTemplates(default)).Message.Should().Contain("empty body");
            var typed = Failing("wrongtype", c => c.EnumerateIssued(null, 10, default));
            typed.ErrorId.Should().Be("MalformedResponse");
            typed.Message.Should().Contain("'total'").And.Contain("string");
        }

        [Fact]
        public void Paging_that_never_ends_stops_and_busy_servers_are_retried_a_bounded_number_of_times()
        {
            Failing("endless", c => c.EnumerateIssued(null, 2, default)).ErrorId.Should().Be("ImportPagingBroken");

            var before = _hostileCalls;
            var busy = Failing("busy", c => c.GetTemplates(default));
            busy.Should().BeOfType<ServiceUnavailableException>();
            busy.Message.Should().Contain("503").And.Contain("Try later");
            (_hostileCalls - before).Should().Be(DigiCertJsonChannel.MaxRetries + 1);

            Failing("throttled", c => c.GetTemplates(default)).ErrorId.Should().Be("RateLimited");
        }
    }
}
