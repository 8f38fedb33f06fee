using System.Net;
using System.Text;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// A misbehaving HTTPS peer (with the Lab's TLS certificate): what reaches the client when a CEP answers
    /// with a DOCTYPE, an endless body, an HTML error page or half an envelope.
    /// </summary>
    public sealed class HostileServerTests : IClassFixture<LabFixture>, IAsyncLifetime
    {
        private const string SoapType = "application/soap+xml; charset=utf-8";
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();
        private WebApplication _app = null!;
        private Workspace _workspace = null!;
        private int _port;

        public HostileServerTests(LabFixture lab) => _lab = lab;

        public async Task InitializeAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(_lab.Authority.TlsCertificate)));
            _app = builder.Build();
            _app.Run(Answer);
            await _app.StartAsync();
            _port = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            _workspace = Workspace.Open(_home.Path);
            LabIssuing = _lab.Authority.Ca.IssuingCertificate;
            ImpostorKey = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            ImpostorCertificate = ScepCodec.RequesterCertificate(ImpostorKey, "CN=impostor RA");
            // A CA of the attacker's bearing the Lab CA's name, and an RA it issued: the RA names the Lab CA as issuer.
            var fakeCa = CaSigner.CreateSelfSigned(ImpostorKey, CertificateReader.Read(LabIssuing).Subject,
                new IssuancePolicy { NotBefore = DateTimeOffset.UtcNow.AddHours(-1), NotAfter = DateTimeOffset.UtcNow.AddDays(1), IsCa = true, KeyUsage = 0x86 });
            using var raKey = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            InjectedRa = new CaSigner(fakeCa, ImpostorKey).Issue("CN=injected RA", raKey.PublicKeyInfo,
                new IssuancePolicy { NotBefore = DateTimeOffset.UtcNow.AddHours(-1), NotAfter = DateTimeOffset.UtcNow.AddDays(1), KeyUsage = 0xa0 });
        }

        public async Task DisposeAsync()
        {
            _workspace.Dispose();
            await _app.DisposeAsync();
            _home.Dispose();
        }

        private static volatile bool SawAuthorization;

        /// <summary>The Lab CA's certificate, which the hostile SCEP server passes off as its own.</summary>
        private static byte[] LabIssuing = Array.Empty<byte>();
        /// <summary>A key and certificate of the attacker's, and an RA certificate it made under the Lab CA's name.</summary>
        private static AsymmetricKey ImpostorKey = null!;
        private static byte[] ImpostorCertificate = Array.Empty<byte>();
        private static byte[] InjectedRa = Array.Empty<byte>();

        private static async Task Answer(HttpContext context)
        {
            switch (context.Request.Path.Value)
            {
                case "/doctype/CEP":
                    await Reply(context, 200, SoapType, "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>" +
                        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>&b;</s:Body></s:Envelope>");
                    break;
                case "/endless/CEP":
                    // No Content-Length: the client has to stop reading on its own.
                    context.Response.ContentType = SoapType;
                    var chunk = Encoding.UTF8.GetBytes(new string(' ', 64 * 1024));
                    for (int i = 0; i < 64 && !context.RequestAborted.IsCancellationRequested; i++)
                        await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    break;
                case "/html500/CEP":
                    await Reply(context, 500, "text/html", "<html><head><title>Runtime Error</title></head><body>Server Error in '/' Application.</body></html>");
                    break;
                case "/html200/CEP":
                    await Reply(context, 200, "text/html", "<html><head><title>IIS Windows Server</title></head><body>Welcome</body></html>");
                    break;
                case "/truncated/CEP":
                    await Reply(context, 200, SoapType, "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><GetPoliciesResponse xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy\"><response>");
                    break;
                case "/internal/CEP":
                    await Reply(context, 500, SoapType, "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Body><s:Fault>" +
                        "<s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value xmlns:b=\"http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher\">b:InternalServiceFault</s:Value></s:Subcode></s:Code>" +
                        "<s:Reason><s:Text xml:lang=\"en-US\">The server was unable to process the request due to an internal error.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>");
                    break;
                case "/basic-only/CEP":
                    SawAuthorization |= context.Request.Headers.Authorization.Count > 0;
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"contoso\"";
                    context.Response.StatusCode = 401;
                    break;
                case "/otherhost/CEP":
                    await Reply(context, 200, SoapType, "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>" +
                        "<GetPoliciesResponse xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy\"><response><policies/></response>" +
                        "<cAs><cA><uris><cAURI><clientAuthentication>4</clientAuthentication><uri>https://collector.example.net/CA_CES_UsernamePassword/service.svc/CES</uri>" +
                        "<priority>1</priority><renewalOnly>false</renewalOnly></cAURI></uris><cAReferenceID>0</cAReferenceID></cA></cAs><oIDs/></GetPoliciesResponse></s:Body></s:Envelope>");
                    break;
                case "/deep/CEP":
                    // 840 KB nested 120,000 deep: well under maxResponseKiB, so only a depth bound stops it quickly.
                    await Reply(context, 200, SoapType, "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>" +
                        string.Concat(Enumerable.Repeat("<a>", 120_000)) + string.Concat(Enumerable.Repeat("</a>", 120_000)) + "</s:Body></s:Envelope>");
                    break;
                case "/deepjson/mpki/api/v1/profile":
                case "/deepjson/mpki/api/v2/profile":
                    await Reply(context, 200, "application/json", string.Concat(Enumerable.Repeat("[", 200_000)) + string.Concat(Enumerable.Repeat("]", 200_000)));
                    break;
                case "/scep-garbage-ca/scep" when context.Request.Query["operation"] == "GetCACert":
                    await Reply(context, 200, "application/x-x509-ca-ra-cert", "\u0030\u0082\u0001not a pkcs7 at all");
                    break;
                case "/scep-garbage-cert/scep" when context.Request.Query["operation"] == "GetCACert":
                    // A degenerate PKCS#7 whose "certificate" is a SEQUENCE that is no certificate.
                    context.Response.ContentType = "application/x-x509-ca-ra-cert";
                    await context.Response.Body.WriteAsync(PSCertConnector.Core.Pkix.Pkcs7.CertificatesOnly(new[] { new byte[] { 0x30, 0x03, 0x02, 0x01, 0x05 } }));
                    break;
                case "/scep-injected-ra/scep" when context.Request.Query["operation"] == "GetCACert":
                    context.Response.ContentType = "application/x-x509-ca-ra-cert";
                    await context.Response.Body.WriteAsync(Pkcs7.CertificatesOnly(new[] { InjectedRa, LabIssuing }));
                    break;
                case "/scep-foreign-signer/scep" when context.Request.Query["operation"] == "GetCACert":
                case "/scep-foreign-answer/scep" when context.Request.Query["operation"] == "GetCACert":
                    context.Response.ContentType = "application/x-x509-ca-cert";
                    await context.Response.Body.WriteAsync(LabIssuing);
                    break;
                case "/scep-foreign-signer/scep" when context.Request.Query["operation"] == "GetCACaps":
                case "/scep-injected-ra/scep" when context.Request.Query["operation"] == "GetCACaps":
                case "/scep-foreign-answer/scep" when context.Request.Query["operation"] == "GetCACaps":
                    await Reply(context, 200, "text/plain", "POSTPKIOperation\nAES\nSHA-256\n");
                    break;
                case "/scep-foreign-signer/scep":
                    // A well-formed CertRep that answers the right transaction with the right nonce, signed by a key that is not the CA's.
                    using (var buffer = new MemoryStream())
                    {
                        await context.Request.Body.CopyToAsync(buffer);
                        var request = ScepCodec.Open(buffer.ToArray(), null, "request");
                        context.Response.ContentType = "application/x-pki-message";
                        await context.Response.Body.WriteAsync(ScepCodec.Seal(ScepMessageType.CertRep, request.TransactionId, ScepCodec.NewNonce(), request.SenderNonce,
                            ScepPkiStatus.Pending, null, null, Array.Empty<byte[]>(), ImpostorCertificate, ImpostorKey, ScepAlgorithms.Modern));
                    }
                    break;
                case "/scep-foreign-answer/scep":
                    // An answer not signed by the CA: an HTML page where a pkiMessage was expected.
                    await Reply(context, 200, "application/x-pki-message", "<html><body>proxy error</body></html>");
                    break;
                case "/notxml/CEP":
                    await Reply(context, 200, SoapType, "HTTP/1.1 garbage {\"json\": true}");
                    break;
                default:
                    context.Response.StatusCode = 404;
                    break;
            }
        }

        private static Task Reply(HttpContext context, int status, string type, string body)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = type;
            return context.Response.WriteAsync(body);
        }

        private PscException TemplatesFrom(string path, params (string, string)[] extra)
        {
            var settings = new Dictionary<string, string>
            {
                ["cepUrl"] = $"https://localhost:{_port}/{path}/CEP",
                ["cesUrl"] = $"https://localhost:{_port}/{path}/CES",
                ["user"] = LabFixture.User,
                ["caBundle"] = _lab.Authority.BundlePath,
            };
            foreach (var (k, v) in extra) settings[k] = v;
            var definition = LabFixture.AddConnector(_workspace, path, "adcs-ces", settings, LabFixture.Secret());
            var act = () => _workspace.Connect(definition).GetTemplates(default);
            return act.Should().Throw<PscException>().Which;
        }

        [Fact]
        public void A_response_with_a_doctype_is_refused_unread() =>
            TemplatesFrom("doctype").ErrorId.Should().Be("UnsafeResponse");

        [Fact]
        public void An_endless_response_is_cut_off_at_the_configured_limit()
        {
            var error = TemplatesFrom("endless", ("maxResponseKiB", "256"));
            error.ErrorId.Should().Be("ResponseTooLarge");
            error.Message.Should().Contain("maxResponseKiB");
        }

        [Fact]
        public void An_html_error_page_on_500_is_a_server_error_that_allows_failover()
        {
            var error = TemplatesFrom("html500");
            error.Should().BeOfType<ServiceUnavailableException>();
            error.ErrorId.Should().Be("ServerError");
            error.Message.Should().Contain("500").And.Contain("Runtime Error");
        }

        [Fact]
        public void An_html_page_where_soap_was_expected_names_the_page() =>
            TemplatesFrom("html200").Message.Should().Contain("HTML page").And.Contain("IIS Windows Server");

        [Fact]
        public void A_service_fault_without_enrollment_detail_is_a_server_error_that_allows_failover()
        {
            var error = TemplatesFrom("internal");
            error.Should().BeOfType<ServiceUnavailableException>();
            error.Message.Should().Contain("internal error");
        }

        [Fact]
        public void Kerberos_credentials_are_never_sent_to_a_server_that_asks_for_basic()
        {
            SawAuthorization = false;
            var error = TemplatesFrom("basic-only", ("authentication", "Kerberos"));
            error.ErrorId.Should().Be("AuthenticationFailed");
            SawAuthorization.Should().BeFalse("the password must not go out as Basic");
        }

        [Fact]
        public void A_policy_that_points_enrollment_at_another_host_gets_no_credentials()
        {
            var settings = new Dictionary<string, string>
            {
                ["host"] = "localhost", ["port"] = _port.ToString(), ["cepUrl"] = $"https://localhost:{_port}/otherhost/CEP",
                ["user"] = LabFixture.User, ["caBundle"] = _lab.Authority.BundlePath,
            };
            var definition = LabFixture.AddConnector(_workspace, "otherhost", "adcs-ces", settings, LabFixture.Secret());
            var act = () => _workspace.Connect(definition).Submit(LabFixture.NewCsr("x.contoso.com"), "WebServer", new Dictionary<string, string>(), default);
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("EnrollmentServiceOnOtherHost");
            error.Message.Should().Contain("collector.example.net").And.Contain("cesUrl");
        }

        [Fact]
        public async Task A_server_that_requires_a_client_certificate_and_hangs_up_is_explained()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(https =>
            {
                https.ServerCertificate = _lab.Authority.TlsCertificate;
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12; // the certificate request is part of the handshake
            })));
            await using var strict = builder.Build();
            strict.Run(context => context.Response.WriteAsync("never"));
            await strict.StartAsync();
            var port = new Uri(strict.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            var definition = LabFixture.AddConnector(_workspace, "strict", "adcs-web", new Dictionary<string, string>
            {
                ["host"] = "localhost", ["port"] = port.ToString(), ["user"] = LabFixture.User, ["caBundle"] = _lab.Authority.BundlePath,
            }, LabFixture.Secret());
            var act = () => _workspace.Connect(definition).Test(default);
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("ServiceUnreachable");
            error.Message.Should().Contain("closed the connection without answering").And.Contain("requires a TLS client certificate")
                .And.Contain("clientCertificate").And.Contain("TLS 1.2");
        }

        [Fact]
        public async Task A_handshake_refused_with_a_tls_alert_is_a_tls_channel_failure_with_its_three_causes()
        {
            // A server with no TLS version in common answers the ClientHello with a fatal protocol_version alert.
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var server = Task.Run(async () =>
            {
                using var socket = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20));
                var stream = socket.GetStream();
                var hello = new byte[4096];
                await stream.ReadAsync(hello).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                await stream.WriteAsync(new byte[] { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46 });
                await Task.Delay(200);
            });
            var definition = LabFixture.AddConnector(_workspace, "oldtls", "adcs-web", new Dictionary<string, string>
            {
                ["host"] = "localhost", ["port"] = port.ToString(), ["user"] = LabFixture.User, ["caBundle"] = _lab.Authority.BundlePath,
            }, LabFixture.Secret());
            var act = () => _workspace.Connect(definition).Test(default);
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("TlsChannelFailed", error.ToString());
            error.Message.Should().Contain("1) the server requires a client certificate").And.Contain("2) no TLS version in common")
                .And.Contain("3) a proxy or firewall");
            await server;
        }

        [Fact]
        public void A_response_nested_deeper_than_the_depth_limit_is_refused_within_the_connector_timeout()
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var error = TemplatesFrom("deep", ("timeoutSeconds", "5"));
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "the timeout covers reading the answer too");
            error.ErrorId.Should().Be("UnsafeResponse");
            error.Message.Should().Contain("nested deeper than 64");
        }

        [Fact]
        public void A_json_answer_nested_deeper_than_the_depth_limit_is_refused_quickly()
        {
            var definition = LabFixture.AddConnector(_workspace, "deepjson", "digicert-one", new Dictionary<string, string>
            {
                ["url"] = $"https://localhost:{_port}/deepjson/", ["caBundle"] = _lab.Authority.BundlePath, ["timeoutSeconds"] = "5",
            }, LabFixture.Secret(LabFixture.ApiKey));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var act = () => _workspace.Connect(definition).GetTemplates(default);
            var error = act.Should().Throw<PscException>().Which;
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
            error.ErrorId.Should().Be("MalformedResponse");
            error.Message.Should().Contain("depth");
        }

        [Fact]
        public async Task The_lab_refuses_a_deeply_nested_unauthenticated_request_without_spending_seconds_on_it()
        {
            var body = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Header/><s:Body>" +
                string.Concat(Enumerable.Repeat("<a>", 100_000)) + string.Concat(Enumerable.Repeat("</a>", 100_000)) + "</s:Body></s:Envelope>";
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var reply = await client.PostAsync(_lab.Server.EnrollmentUri(AdcsAuthentication.UsernamePassword),
                new StringContent(body, Encoding.UTF8, "application/soap+xml"));
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
            ((int)reply.StatusCode).Should().Be(500);
            (await reply.Content.ReadAsStringAsync()).Should().Contain("nested deeper than 64");
        }

        /// <summary>Garbage before the request is sent leaves no order; an unusable answer to it leaves one in doubt (Unknown), as for every transport.</summary>
        [Theory]
        [InlineData("scep-garbage-ca", "MalformedResponse", false)]
        [InlineData("scep-garbage-cert", "ScepCaCertificateUnreadable", false)]
        [InlineData("scep-foreign-answer", "ScepMessageInvalid", true)]
        [InlineData("scep-foreign-signer", "ScepMessageInvalid", true)]
        [InlineData("scep-injected-ra", "ScepRaNotIssuedByCa", false)]
        public void A_scep_server_that_answers_garbage_is_a_named_error(string path, string errorId, bool sent)
        {
            // Pinned to the real Lab CA: a pin must not let an RA of someone else's through.
            LabFixture.AddConnector(_workspace, path, "scep", new Dictionary<string, string>
            {
                ["url"] = $"https://localhost:{_port}/{path}/scep", ["caBundle"] = _lab.Authority.BundlePath, ["caFingerprint"] = CertificateReader.Read(LabIssuing).ThumbprintSha256,
            }, Encoding.UTF8.GetBytes("challenge"));
            var csrSink = new RecordingSink();
            var request = new RequestOperations(_workspace, csrSink).Build(new Core.Pkix.RequestSpec { Subject = "CN=hostile-scep" })!;
            var sink = new RecordingSink();
            new OrderOperations(_workspace, sink).Submit(path, null, request.Csr);
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be(errorId);
            sink.Errors[0].Message.Should().NotContain("challenge").And.NotContain("   at ");
            var orders = _workspace.Store.QueryOrders(new Core.Store.OrderQuery { Connector = path });
            if (sent) orders.Should().ContainSingle().Which.Status.Should().Be(SubmitStatus.Unknown);
            else orders.Should().BeEmpty("nothing of the request left this host");
        }

        [Fact]
        public void A_truncated_envelope_and_a_non_xml_body_are_malformed_responses()
        {
            TemplatesFrom("truncated").ErrorId.Should().Be("MalformedResponse");
            TemplatesFrom("notxml").ErrorId.Should().Be("MalformedResponse");
        }
    }
}
