using System.Diagnostics;
using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Cli;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>certconnector against the Lab: the commands a user types, end to end over HTTPS.</summary>
    [Collection("cli")]
    public sealed class CliLabTests : IClassFixture<LabFixture>, IDisposable
    {
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();

        public CliLabTests(LabFixture lab) => _lab = lab;

        public void Dispose() => _home.Dispose();

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        [Theory]
        [InlineData("adcs-ces")]
        [InlineData("adcs-web")]
        public void Enroll_approve_and_fetch_through_the_cli(string type)
        {
            Environment.SetEnvironmentVariable("PSC_TEST_LAB_PASSWORD", LabFixture.Password);
            var add = Cli("connector", "add", "lab", "--type", type, "--setting", "host=localhost", "--setting", $"port={_lab.Server.BaseUri.Port}",
                "--setting", $"caName={_lab.Authority.CaName}", "--setting", $"user={LabFixture.User}", "--setting", $"caBundle={_lab.Authority.BundlePath}",
                "--secret-env", "PSC_TEST_LAB_PASSWORD");
            add.Exit.Should().Be(0, add.Err);
            add.Out.Should().NotContain(LabFixture.Password);
            Cli("connector", "test", "lab").Out.Should().Contain("OK");
            if (type == "adcs-ces")
            {
                var services = JsonDocument.Parse(Cli("connector", "services", "lab", "--refresh", "--json").Out).RootElement;
                services.EnumerateArray().Select(s => s.GetProperty("authentication").GetString()).Should().Contain("UsernamePassword");
            }

            var csr = _home.File("app.csr");
            Cli("request", "new", "--subject", "CN=app.contoso.com", "--san", "dns=app.contoso.com", "--out", csr).Exit.Should().Be(0);
            var submitted = Cli("submit", "--connector", "lab", "--template", "WebServerApproval", "--csr", csr, "--json");
            submitted.Exit.Should().Be(0, submitted.Err);
            var order = JsonDocument.Parse(submitted.Out).RootElement;
            order.GetProperty("status").GetString().Should().Be("pending");
            var id = order.GetProperty("id").GetInt64().ToString();

            // CES cannot approve, as on real AD CS: the CA manager decides on the CA, and the order picks it up on refresh.
            var approve = Cli("order", "approve", id);
            approve.Exit.Should().Be(1);
            approve.Err.Should().Contain("[CapabilityNotSupported]");
            _lab.Authority.Ca.Approve(long.Parse(order.GetProperty("requestId").GetString()!));
            Cli("order", "refresh", id).Exit.Should().Be(0);
            var fetched = Cli("order", "fetch", id, "--json");
            fetched.Exit.Should().Be(0, fetched.Err);
            var cert = JsonDocument.Parse(fetched.Out).RootElement.EnumerateArray().Single();
            cert.GetProperty("commonName").GetString().Should().Be("app.contoso.com");
            cert.GetProperty("hasPrivateKey").GetBoolean().Should().BeTrue("the key made by 'request new' pairs with the certificate");

            var revoke = Cli("revoke", cert.GetProperty("serialNumber").GetString()!, "--reason", "key-compromise", "--yes");
            revoke.Exit.Should().Be(1);
            revoke.Err.Should().Contain("cannot revoke certificates").And.Contain("adcs-dcom").And.Contain("[CapabilityNotSupported]");
        }

        [Fact]
        public void Ndes_through_the_cli_enrolls_over_scep_and_polls_nothing_when_issued_at_once()
        {
            Environment.SetEnvironmentVariable("PSC_TEST_LAB_PASSWORD", LabFixture.Password);
            var add = Cli("connector", "add", "ndes", "--type", "adcs-ndes", "--setting", "host=localhost", "--setting", $"port={_lab.Server.BaseUri.Port}",
                "--setting", $"user={LabFixture.User}", "--setting", $"caBundle={_lab.Authority.BundlePath}", "--secret-env", "PSC_TEST_LAB_PASSWORD");
            add.Exit.Should().Be(0, add.Err);
            var test = JsonDocument.Parse(Cli("connector", "test", "ndes", "--json").Out).RootElement;
            test.ToString().Should().Contain("NDES RA").And.Contain("POSTPKIOperation");

            var csr = _home.File("device.csr");
            Cli("request", "new", "--subject", "CN=device-07.contoso.com", "--out", csr).Exit.Should().Be(0);
            var submitted = Cli("submit", "--connector", "ndes", "--csr", csr, "--json");
            submitted.Exit.Should().Be(0, submitted.Err);
            var order = JsonDocument.Parse(submitted.Out).RootElement;
            order.GetProperty("status").GetString().Should().Be("issued");
            order.GetProperty("template").GetString().Should().Be("SCEP");
            var fetched = Cli("order", "fetch", order.GetProperty("id").GetInt64().ToString(), "--json");
            fetched.Exit.Should().Be(0, fetched.Err);
            var cert = JsonDocument.Parse(fetched.Out).RootElement.EnumerateArray().Single();
            cert.GetProperty("hasPrivateKey").GetBoolean().Should().BeTrue();
            var pem = _home.File("device.pem");
            Cli("cert", "export", "--thumbprint", cert.GetProperty("thumbprint").GetString()!, "--format", "pem", "--out", pem).Exit.Should().Be(0);
            OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{pem}\"").Should().Contain("OK");
        }

        [Fact]
        public void DigiCert_one_through_the_cli_enroll_and_revoke_with_a_reason()
        {
            Environment.SetEnvironmentVariable("PSC_TEST_DIGICERT_KEY", LabFixture.ApiKey);
            var add = Cli("connector", "add", "one", "--type", "digicert-one", "--setting", $"url={_lab.Server.BaseUri.AbsoluteUri}",
                "--setting", $"caBundle={_lab.Authority.BundlePath}", "--secret-env", "PSC_TEST_DIGICERT_KEY");
            add.Exit.Should().Be(0, add.Err);
            var profiles = JsonDocument.Parse(Cli("template", "list", "one", "--refresh", "--json").Out).RootElement;
            var web = profiles.EnumerateArray().First(p => p.GetProperty("displayName").GetString() == "Web Server").GetProperty("name").GetString()!;

            var csr = _home.File("dc.csr");
            Cli("request", "new", "--subject", "CN=dc.contoso.com", "--san", "dns=dc.contoso.com", "--out", csr).Exit.Should().Be(0);
            var order = JsonDocument.Parse(Cli("submit", "--connector", "one", "--template", web, "--csr", csr, "--json").Out).RootElement;
            order.GetProperty("status").GetString().Should().Be("issued");
            Cli("order", "fetch", order.GetProperty("id").GetInt64().ToString()).Exit.Should().Be(0);
            var serial = order.GetProperty("serialNumber").GetString()!;
            var revoke = Cli("revoke", serial, "--reason", "key-compromise", "--yes");
            revoke.Exit.Should().Be(0, revoke.Err);
            _lab.Authority.Ca.GetBySerial(serial).Status.Should().Be(SubmitStatus.Revoked);
        }

        [Theory]
        [InlineData("TERM")]
        [InlineData("HUP")]
        [InlineData("INT")]
        public async Task Lab_serve_stops_cleanly_on_the_signals_service_managers_and_shells_send(string signal)
        {
            if (OperatingSystem.IsWindows()) return; // POSIX signals; Windows stops it with Ctrl+C or Ctrl+Break
            var cli = typeof(Program).Assembly.Location;
            // Through a shell that starts it in the background, as 'cmd &' in a script does (SIGINT is ignored there by default).
            var start = new ProcessStartInfo("bash", $"-c \"exec dotnet '{cli}' lab serve --port 0 --json --password-env LAB_PW --home '{_home.Path}'\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["LAB_PW"] = "unused";
            using var process = Process.Start(start)!;
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline)
                {
                    using var wait = new CancellationTokenSource(deadline - DateTime.UtcNow);
                    string? line;
                    try { line = await process.StandardOutput.ReadLineAsync(wait.Token); }
                    catch (OperationCanceledException) { break; }
                    if (line == null || line == "}") break;
                }
                using (var kill = Process.Start("kill", $"-{signal} {process.Id}")!) kill.WaitForExit(10000);
                process.WaitForExit(15000).Should().BeTrue($"SIG{signal} stops the Lab");
                process.ExitCode.Should().Be(0);
                (await process.StandardError.ReadToEndAsync()).Should().Contain("Stopping the Lab.");
            }
            finally
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
        }

        [Fact]
        public void Lab_serve_keeps_the_publication_port_its_ca_certificates_name()
        {
            var labHome = _home.File("lab-fixed");
            using (var authority = PSCertConnector.Lab.LabAuthority.OpenOrCreate(labHome))
            {
                var port = authority.Publication.Port;
                var other = port == 65535 ? port - 1 : port + 1;
                var result = Cli("lab", "serve", "--port", "0", "--http-port", other.ToString(), "--lab-home", labHome, "--password-env", "PATH");
                result.Exit.Should().NotBe(0);
                result.Err.Should().Contain($"port {port}").And.Contain("--lab-home").And.NotContain("   at ");
            }
        }

        [Fact]
        public void Lab_serve_refuses_to_start_without_a_password_it_does_not_print()
        {
            var result = Cli("lab", "serve", "--port", "0");
            result.Exit.Should().Be(2);
            result.Err.Should().Contain("--password-env");
        }

        [Fact]
        public async Task Lab_serve_prints_its_urls_and_bundle_and_serves_until_stopped()
        {
            var cli = typeof(Program).Assembly.Location;
            var start = new ProcessStartInfo("dotnet", $"\"{cli}\" lab serve --port 0 --json --password-env LAB_PW --home \"{_home.Path}\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            start.Environment["LAB_PW"] = "unused";
            using var process = Process.Start(start)!;
            try
            {
                var json = new System.Text.StringBuilder();
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline)
                {
                    using var wait = new CancellationTokenSource(deadline - DateTime.UtcNow);
                    string? line;
                    try { line = await process.StandardOutput.ReadLineAsync(wait.Token); }
                    catch (OperationCanceledException) { break; } // bounded: a silent server fails the test, never hangs it
                    if (line == null) break;
                    json.AppendLine(line);
                    if (line == "}") break;
                }
                json.ToString().Should().NotContain("unused", "the password is never printed");
                var info = JsonDocument.Parse(json.ToString()).RootElement;
                var bundle = info.GetProperty("caBundle").GetString()!;
                File.ReadAllText(bundle).Should().Contain("BEGIN CERTIFICATE");
                var web = info.GetProperty("webEnrollment").GetString()!;
                web.Should().StartWith("https://localhost:");
                info.GetProperty("cesUsernamePassword").GetString().Should().EndWith("_CES_UsernamePassword/service.svc/CES");

                // The server answers over TLS that openssl verifies with the printed bundle.
                var port = new Uri(web).Port;
                var (_, output) = OpenSsl.Run($"s_client -connect 127.0.0.1:{port} -servername localhost -CAfile \"{bundle}\" -verify_return_error -brief", stdin: "");
                output.Should().Contain("Verification: OK");

                // The CA certificates and CRLs it prints are served over plain HTTP (as AIA and CDP need), and OpenSSL reads them.
                var certificates = info.GetProperty("caCertificates").EnumerateArray().Select(u => u.GetString()!).ToList();
                var crls = info.GetProperty("crls").EnumerateArray().Select(u => u.GetString()!).ToList();
                certificates.Should().HaveCount(2).And.OnlyContain(u => u.StartsWith("http://localhost:"));
                crls.Should().HaveCount(2).And.OnlyContain(u => u.StartsWith("http://localhost:"));
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
                foreach (var (url, kind) in certificates.Select(u => (u, "x509")).Concat(crls.Select(u => (u, "crl"))))
                {
                    var file = _home.File(Guid.NewGuid().ToString("N"));
                    File.WriteAllBytes(file, await http.GetByteArrayAsync(url));
                    OpenSsl.Ok($"{kind} -inform DER -in \"{file}\" -noout");
                }
                var issuing = _home.File("issuing.der");
                File.WriteAllBytes(issuing, await http.GetByteArrayAsync(certificates[0]));
                OpenSsl.Ok($"x509 -inform DER -in \"{issuing}\" -noout -ext authorityInfoAccess").Should().Contain(certificates[1], "the issuing CA names the root's URL");
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10000);
            }
        }
    }
}
