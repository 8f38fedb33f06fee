using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Lab;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// SCEP both ways: the adcs-ndes and scep connectors against the Lab's NDES emulation over HTTPS, our client against
    /// Debian's scepserver (micromdm) over HTTP, and the independent clients (micromdm's scepclient, certmonger's
    /// scep-submit) against the Lab. OpenSSL verifies every certificate issued.
    /// </summary>
    public sealed class ScepTests : IClassFixture<LabFixture>, IDisposable
    {
        private const string ScepServer = "/usr/bin/scepserver";
        private const string ScepClient = "/usr/bin/scepclient";
        private const string CertmongerScep = "/usr/lib/certmonger/scep-submit";
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();
        private readonly Workspace _workspace;

        public ScepTests(LabFixture lab)
        {
            _lab = lab;
            _workspace = Workspace.Open(_home.Path, lab.Registry);
        }

        public void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        private ConnectorDefinition Ndes(LabServer server, string name = "ndes", params (string, string)[] extra) =>
            LabFixture.AddConnector(_workspace, name, "adcs-ndes", _lab.Settings(server, extra), LabFixture.Secret());

        /// <summary>A key and request made here (kept in the inventory, as 'request new' does).</summary>
        private byte[] NewRequest(string commonName)
        {
            var sink = new RecordingSink();
            var request = new RequestOperations(_workspace, sink).Build(new RequestSpec { Subject = $"CN={commonName}, O=PSCertConnector Tests" });
            sink.Errors.Should().BeEmpty();
            return request!.Csr;
        }

        private (OrderRecord? Order, RecordingSink Sink) Submit(string connector, byte[] csr)
        {
            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit(connector, null, csr);
            return (order, sink);
        }

        /// <summary>A one-time challenge from the Lab's mscep_admin page, read as an administrator would read it (UTF-16, in bold after the words).</summary>
        private async Task<string> OneTimeChallenge()
        {
            using var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LabFixture.User}:{LabFixture.Password}")));
            var page = Encoding.Unicode.GetString((await client.GetByteArrayAsync(_lab.Server.ScepAdminUri)).AsSpan(2));
            return System.Text.RegularExpressions.Regex.Match(page, @"challenge password is: <B> ([0-9A-F]{16}) </B>").Groups[1].Value;
        }

        private string Verify(byte[] certificate, string caFile)
        {
            var path = _home.File(Guid.NewGuid().ToString("N") + ".pem");
            File.WriteAllText(path, Pem.Encode("CERTIFICATE", certificate));
            return OpenSsl.Ok($"verify -CAfile \"{caFile}\" \"{path}\"");
        }

        private byte[] Issued(OrderRecord order)
        {
            var certificate = _workspace.Store.QueryCertificates(new CertificateQuery()).Single(c => c.RequestId == order.RequestId && c.Connector == order.Connector);
            return certificate.Der;
        }

        [Fact]
        public void Ndes_enrolls_with_a_one_time_challenge_from_mscep_admin_and_the_certificate_verifies()
        {
            var definition = Ndes(_lab.Server);
            var test = _workspace.Connect(definition).Test(default);
            test.Message.Should().Contain("PSCertConnector Lab NDES RA").And.Contain("POSTPKIOperation").And.Contain("AES-128-CBC, SHA256");

            var (order, sink) = Submit("ndes", NewRequest("ndes-device-01"));
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Issued);
            order.Template.Should().Be("SCEP");
            new OrderOperations(_workspace, sink).Fetch(new[] { order });
            var der = Issued(order);
            Verify(der, _lab.Authority.BundlePath).Should().Contain("OK");
            CertificateReader.Read(der).Subject.Should().Contain("ndes-device-01");
            _workspace.Events.Read(new Core.Events.EventQuery(), out _).Should().Contain(e => e.Id == Core.Events.EventIds.ScepRequestIssued && e.Area == "Scep",
                "SCEP enrollments are logged in the SCEP area, as the Intune connector logs them");
            // The challenge travelled inside the encrypted envelope only: neither the order nor the store keeps it.
            CsrParser.ChallengePassword(_workspace.Store.GetOrder(order.Id)!.Csr!).Should().BeNull();
        }

        [Fact]
        public void A_request_the_template_holds_for_approval_is_pending_and_certpoll_collects_it_once_approved()
        {
            using var held = new LabServerScope(_lab, new LabOptions { Users = new Dictionary<string, string> { [LabFixture.User] = LabFixture.Password }, ScepTemplate = "ClientAuthApproval" });
            Ndes(held.Server, "ndes-held");
            var (order, sink) = Submit("ndes-held", NewRequest("ndes-held-01"));
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Pending);

            var operations = new OrderOperations(_workspace, sink);
            operations.Refresh(new[] { order });
            _workspace.Store.GetOrder(order.Id)!.Status.Should().Be(SubmitStatus.Pending, "nobody approved it yet");

            _lab.Authority.Ca.Approve(held.Server.ScepRequestOf(order.RequestId!)!.Value);
            operations.Refresh(new[] { _workspace.Store.GetOrder(order.Id)! });
            var refreshed = _workspace.Store.GetOrder(order.Id)!;
            refreshed.Status.Should().Be(SubmitStatus.Issued);
            _workspace.Events.Read(new Core.Events.EventQuery(), out _).Select(e => e.Id).Should().Contain(new[] { Core.Events.EventIds.ScepRequestPending, Core.Events.EventIds.ScepPendingRequestIssued });
            operations.Fetch(new[] { refreshed });
            Verify(Issued(refreshed), _lab.Authority.BundlePath).Should().Contain("OK");
        }

        [Fact]
        public void A_wrong_static_challenge_is_refused_as_bad_request_and_no_order_is_left()
        {
            var settings = new Dictionary<string, string> { ["url"] = _lab.Server.ScepUri.AbsoluteUri, ["caBundle"] = _lab.Authority.BundlePath };
            LabFixture.AddConnector(_workspace, "scep-wrong", "scep", settings, Encoding.UTF8.GetBytes("not-the-challenge"));
            var sink = new RecordingSink();
            new OrderOperations(_workspace, sink).Submit("scep-wrong", null, NewRequest("wrong-challenge"));
            sink.Errors.Should().ContainSingle().Which.Message.Should().Contain("badRequest").And.NotContain("not-the-challenge");
            _workspace.Store.QueryOrders(new OrderQuery()).Should().BeEmpty();
        }

        [Fact]
        public void A_legacy_ndes_without_post_or_aes_is_spoken_to_with_get_3des_and_sha1()
        {
            using var legacy = new LabServerScope(_lab, new LabOptions { Users = new Dictionary<string, string> { [LabFixture.User] = LabFixture.Password }, ScepLegacy = true });
            var definition = Ndes(legacy.Server, "ndes-legacy");
            _workspace.Connect(definition).Test(default).Message.Should().Contain("3DES-CBC, SHA1");
            var (order, sink) = Submit("ndes-legacy", NewRequest("legacy-device"));
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Issued);
        }

        [Fact]
        public async Task A_full_ndes_password_cache_is_reported_with_what_to_do()
        {
            var definition = Ndes(_lab.Server, "ndes-full");
            for (int i = 0; i < LabServer.ScepPasswordMax; i++) await OneTimeChallenge();
            var sink = new RecordingSink();
            new OrderOperations(_workspace, sink).Submit("ndes-full", null, NewRequest("cache-full"));
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("NdesPasswordCacheFull");
        }

        [Fact]
        public void The_crl_the_ca_certificates_and_an_issued_certificate_come_over_scep()
        {
            var connector = _workspace.Connect(Ndes(_lab.Server, "ndes-crl"));
            var crl = connector.GetCrl(default);
            var crlPath = _home.File("scep.crl");
            File.WriteAllBytes(crlPath, crl);
            OpenSsl.Ok($"crl -inform DER -in \"{crlPath}\" -CAfile \"{_lab.Authority.BundlePath}\" -noout").Should().Contain("verify OK");
            connector.GetCaCertificates(default).Issuing.RawData.Should().Equal(_lab.Authority.Ca.IssuingCertificate);

            // GetCert: a certificate the CA issued, by serial; an unknown serial is no certificate, not an error.
            var issued = _lab.Authority.Ca.Submit(LabFixture.NewCsr("getcert.contoso.com"), "WebServer", new Dictionary<string, string>()).Certificate!;
            var serial = CertificateReader.Read(issued).SerialNumber;
            ((Core.Connectors.ScepConnector)connector).GetCertificate(serial, default).Should().Equal(issued);
            ((Core.Connectors.ScepConnector)connector).GetCertificate("0123456789ABCDEF", default).Should().BeNull();
        }

        [Fact]
        public void Our_scep_client_enrolls_against_debians_scepserver_over_http_with_the_ca_pinned()
        {
            var depot = Directory.CreateDirectory(_home.File("depot")).FullName;
            ProcessRunner.Run(new ProcessStartInfo(ScepServer, $"ca -init -depot \"{depot}\" -keySize 2048") { WorkingDirectory = _home.Path }, TimeSpan.FromSeconds(60))
                .ExitCode.Should().Be(0);
            var caPem = Path.Combine(depot, "ca.pem");
            var fingerprint = Convert.ToHexString(SHA256.HashData(Pem.ReadPemOrDer(File.ReadAllBytes(caPem), "CA", "CERTIFICATE")));
            var port = Loopback.FreePort();
            using var server = Loopback.StartServer(ScepServer, port, "-depot", depot, "-port", port.ToString(), "-challenge", "micromdm-secret");
            try
            {
                var settings = new Dictionary<string, string> { ["url"] = $"http://127.0.0.1:{port}/scep", ["caFingerprint"] = fingerprint };
                LabFixture.AddConnector(_workspace, "micromdm", "scep", settings, Encoding.UTF8.GetBytes("micromdm-secret"));
                var (order, sink) = Submit("micromdm", NewRequest("micromdm-device"));
                sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
                order!.Status.Should().Be(SubmitStatus.Issued);
                new OrderOperations(_workspace, sink).Fetch(new[] { order });
                Verify(Issued(order), caPem).Should().Contain("OK");

                LabFixture.AddConnector(_workspace, "micromdm-pin", "scep", new Dictionary<string, string> { ["url"] = settings["url"], ["caFingerprint"] = new string('A', 64) },
                    Encoding.UTF8.GetBytes("micromdm-secret"));
                var pinned = new RecordingSink();
                new OrderOperations(_workspace, pinned).Submit("micromdm-pin", null, NewRequest("pinned"));
                pinned.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("ScepCaFingerprintMismatch");
            }
            finally
            {
                server.Kill();
                server.WaitForExit(10_000);
            }
        }

        [Fact]
        public async Task Micromdms_scepclient_enrolls_against_the_lab_with_a_challenge_from_mscep_admin()
        {
            var challenge = await OneTimeChallenge();
            challenge.Should().HaveLength(16);

            var key = _home.File("scepclient.key");
            var certificate = _home.File("scepclient.pem");
            var start = new ProcessStartInfo(ScepClient,
                $"-server-url {_lab.Server.ScepUri.AbsoluteUri} -challenge {challenge} -private-key \"{key}\" -certificate \"{certificate}\" -cn scepclient-device -keySize 2048")
            { WorkingDirectory = _home.Path };
            start.Environment["SSL_CERT_FILE"] = _lab.Authority.BundlePath;
            var (exit, output) = ProcessRunner.Run(start, TimeSpan.FromSeconds(120));
            exit.Should().Be(0, output);
            OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{certificate}\"").Should().Contain("OK");
            OpenSsl.Ok($"x509 -in \"{certificate}\" -noout -subject").Should().Contain("scepclient-device");
        }

        [Fact]
        public void Openssl_verifies_the_signature_of_a_sealed_message_and_decrypts_its_envelope_as_the_recipient()
        {
            using var requester = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            using var recipient = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var requesterCert = ScepCodec.RequesterCertificate(requester, "CN=openssl-device");
            var recipientCert = ScepCodec.RequesterCertificate(recipient, "CN=openssl-ra");
            var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=openssl-device" }, requester);
            var message = ScepCodec.Seal(ScepMessageType.PKCSReq, requester.KeyId, ScepCodec.NewNonce(), null, null, null, csr,
                new[] { recipientCert }, requesterCert, requester, ScepAlgorithms.Modern);
            var messagePath = _home.File("pkcsreq.p7");
            File.WriteAllBytes(messagePath, message);
            var envelopePath = _home.File("envelope.p7");
            OpenSsl.Ok($"cms -verify -inform DER -in \"{messagePath}\" -noverify -out \"{envelopePath}\"").Should().Contain("Verification successful");
            var keyPath = _home.File("ra.key");
            File.WriteAllText(keyPath, Pem.Encode("PRIVATE KEY", recipient.ExportPkcs8()));
            var certPath = _home.File("ra.pem");
            File.WriteAllText(certPath, Pem.Encode("CERTIFICATE", recipientCert));
            var csrPath = _home.File("inner.csr");
            OpenSsl.Ok($"cms -decrypt -inform DER -in \"{envelopePath}\" -recip \"{certPath}\" -inkey \"{keyPath}\" -out \"{csrPath}\"");
            File.ReadAllBytes(csrPath).Should().Equal(csr);
            OpenSsl.Ok($"req -inform DER -in \"{csrPath}\" -noout -verify").Should().Contain("verify OK");
        }

        [Fact]
        public async Task Certmonger_enrolls_against_the_lab_with_a_one_time_challenge()
        {
            var challenge = await OneTimeChallenge();
            var work = Directory.CreateDirectory(_home.File("certmonger")).FullName;
            var script = Path.Combine(AppContext.BaseDirectory, "scep", "certmonger-enroll.sh");
            var (exit, output) = ProcessRunner.Run(new ProcessStartInfo("bash", $"\"{script}\" {_lab.Server.ScepUri.AbsoluteUri} \"{_lab.Authority.BundlePath}\" {challenge} \"{work}\""),
                TimeSpan.FromSeconds(120));
            exit.Should().Be(0, output + (File.Exists(Path.Combine(work, "certmonger.log")) ? File.ReadAllText(Path.Combine(work, "certmonger.log")) : ""));
            var certificate = Path.Combine(work, "cert.pem");
            OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{certificate}\"").Should().Contain("OK");
            OpenSsl.Ok($"x509 -in \"{certificate}\" -noout -subject").Should().Contain("certmonger-device");
        }

        [Fact]
        public void Certmongers_scep_helper_reads_the_labs_capabilities_and_ra_and_ca_certificates()
        {
            var caps = ProcessRunner.Run(new ProcessStartInfo(CertmongerScep, $"-u {_lab.Server.ScepUri.AbsoluteUri} -R \"{_lab.Authority.BundlePath}\" -c"), TimeSpan.FromSeconds(60));
            caps.ExitCode.Should().Be(0, caps.Output);
            caps.Output.Should().Contain("POSTPKIOperation").And.Contain("AES");

            var certificates = ProcessRunner.Run(new ProcessStartInfo(CertmongerScep, $"-u {_lab.Server.ScepUri.AbsoluteUri} -R \"{_lab.Authority.BundlePath}\" -C"), TimeSpan.FromSeconds(60));
            certificates.ExitCode.Should().Be(0, certificates.Output);
            var printed = CertificateReader.ReadAll(Encoding.ASCII.GetBytes(certificates.Output));
            printed.Select(c => CertificateReader.Read(c).Subject).First().Should().Contain("NDES RA", "certmonger prints the RA certificate first");
            printed.Should().Contain(c => c.SequenceEqual(_lab.Authority.Ca.IssuingCertificate));
        }
    }

    /// <summary>A second Lab server over the fixture's CA with its own options, stopped with the test.</summary>
    internal sealed class LabServerScope : IDisposable
    {
        public LabServerScope(LabFixture lab, LabOptions options) => Server = LabServer.StartAsync(lab.Authority, options).GetAwaiter().GetResult();
        public LabServer Server { get; }
        public void Dispose() => Server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
