using System.Text;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// The Intune connector's PKCS flows on the embedded CA: a PFX with a key made here, behind a password or encrypted to
    /// a recipient, and an imported PFX encrypted again. OpenSSL opens every file and checks that key and certificate
    /// belong together and that the certificate chains to the CA.
    /// </summary>
    public sealed class PfxTests : IDisposable
    {
        private const string Password = "Pfx-Pa55word";
        private readonly TempHome _home = new();
        private readonly Workspace _ws;

        public PfxTests()
        {
            _ws = Workspace.Open(_home.Path);
            var sink = new RecordingSink();
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition { Name = "ca", Type = "local" }, null);
            sink.Errors.Should().BeEmpty();
        }

        public void Dispose()
        {
            _ws.Dispose();
            _home.Dispose();
        }

        private string CaBundle()
        {
            var path = _home.File("ca-bundle.pem");
            var ca = _ws.Connect("ca").GetCaCertificates(default);
            File.WriteAllText(path, Pem.Encode("CERTIFICATE", ca.Issuing.RawData) + string.Concat(ca.Chain.Select(c => Pem.Encode("CERTIFICATE", c.RawData))));
            return path;
        }

        /// <summary>A recipient's certificate and key made by OpenSSL (a device's, in Intune's terms).</summary>
        private (string Certificate, string Key) Recipient(string name)
        {
            var key = _home.File(name + ".key");
            var cert = _home.File(name + ".pem");
            OpenSsl.Ok($"req -x509 -newkey rsa:2048 -nodes -keyout \"{key}\" -out \"{cert}\" -subj /CN={name} -days 2 -addext keyUsage=keyEncipherment,digitalSignature");
            return (cert, key);
        }

        private static byte[] Der(string pemPath) => Pem.ReadPemOrDer(File.ReadAllBytes(pemPath), "certificate", "CERTIFICATE");

        /// <summary>Opens a PKCS#12 with OpenSSL and checks that its key is the certificate's and that the certificate verifies.</summary>
        private void CheckPkcs12(string pfx, string password, string caBundle)
        {
            var leaf = _home.File(Guid.NewGuid().ToString("N") + "-leaf.pem");
            OpenSsl.Ok($"pkcs12 -in \"{pfx}\" -passin pass:{password} -nokeys -clcerts -out \"{leaf}\"");
            var key = _home.File(Guid.NewGuid().ToString("N") + "-key.pem");
            OpenSsl.Ok($"pkcs12 -in \"{pfx}\" -passin pass:{password} -nocerts -nodes -out \"{key}\"");
            OpenSsl.Ok($"x509 -in \"{leaf}\" -noout -pubkey").Should().Be(OpenSsl.Ok($"pkey -in \"{key}\" -pubout"));
            OpenSsl.Ok($"verify -CAfile \"{caBundle}\" \"{leaf}\"").Should().Contain("OK");
        }

        private string Decrypt(string envelope, (string Certificate, string Key) recipient)
        {
            var inner = _home.File(Guid.NewGuid().ToString("N") + ".pfx");
            OpenSsl.Ok($"cms -decrypt -inform DER -in \"{envelope}\" -recip \"{recipient.Certificate}\" -inkey \"{recipient.Key}\" -out \"{inner}\"");
            return inner;
        }

        private PfxIssuance New(string subject, ExportFileOptions file, string? password, bool archive = false, string template = "User", RecordingSink? sink = null)
        {
            sink ??= new RecordingSink();
            var issued = new PfxOperations(_ws, sink).New("ca", template, new RequestSpec { Subject = subject, KeyUsage = 0xa0 }, file, password, archive);
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            return issued!;
        }

        [Fact]
        public void A_password_pfx_opens_in_openssl_and_its_key_is_not_kept()
        {
            var path = _home.File("alice.pfx");
            var issued = New("CN=Alice Example", new ExportFileOptions { Path = path }, Password);
            issued.Status.Should().Be(SubmitStatus.Issued);
            issued.Protection.Should().StartWith("AES-256-CBC");
            issued.KeyArchived.Should().BeFalse();
            CheckPkcs12(path, Password, CaBundle());

            var record = _ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = issued.Thumbprint }).Single();
            record.HasPrivateKey.Should().BeFalse("without archival the key is forgotten once the PFX is written");
            _ws.Events.Read(new EventQuery(), out _).Should().Contain(e => e.Id == EventIds.PfxIssued && e.Message.Contains("Alice Example") && e.Message.Contains("not kept"));
            File.ReadAllText(_ws.Events.CurrentFile).Should().NotContain(Password);
        }

        [Fact]
        public void A_pfx_encrypted_to_a_recipient_opens_only_with_its_key_and_an_archived_key_can_be_delivered_again()
        {
            var device = Recipient("device-07");
            var path = _home.File("device-07.p7m");
            var issued = New("CN=device-07", new ExportFileOptions { Path = path, Recipient = Der(device.Certificate) }, null, archive: true);
            issued.Protection.Should().Contain("CMS EnvelopedData").And.Contain("CN=device-07");
            CheckPkcs12(Decrypt(path, device), "", CaBundle());

            var stranger = Recipient("stranger");
            OpenSsl.Run($"cms -decrypt -inform DER -in \"{path}\" -recip \"{stranger.Certificate}\" -inkey \"{stranger.Key}\" -out \"{_home.File("no.pfx")}\"").ExitCode
                .Should().NotBe(0, "only the recipient's key opens it");

            // Archived: the same certificate and key can be delivered to another device later.
            var second = Recipient("device-08");
            var again = _home.File("device-08.p7m");
            var sink = new RecordingSink();
            new InventoryOperations(_ws, sink).ExportToFile(new CertificateSelector(null, issued.Thumbprint, null), ExportFormat.Pfx, true, null,
                new ExportFileOptions { Path = again, Recipient = Der(second.Certificate) });
            sink.Errors.Should().BeEmpty();
            CheckPkcs12(Decrypt(again, second), "", CaBundle());
        }

        [Fact]
        public void A_request_held_for_approval_keeps_its_key_encrypted_until_deliver_writes_the_pfx()
        {
            var path = _home.File("app.pfx");
            var sink = new RecordingSink();
            var pending = New("CN=app.contoso.com", new ExportFileOptions { Path = path }, Password, template: "WebServerApproval", sink: sink);
            pending.Status.Should().Be(SubmitStatus.Pending);
            pending.Path.Should().BeNull();
            File.Exists(path).Should().BeFalse();
            sink.Warnings.Should().Contain(w => w.Contains($"pfx new --order {pending.OrderId}") || w.Contains($"-OrderId {pending.OrderId}"));

            var order = _ws.Store.GetOrder(pending.OrderId)!;
            new OrderOperations(_ws, new RecordingSink()).Approve(new[] { order });
            var delivered = new RecordingSink();
            var issued = new PfxOperations(_ws, delivered).Deliver(pending.OrderId, new ExportFileOptions { Path = path }, Password, archiveKey: false);
            delivered.Errors.Should().BeEmpty(string.Join("; ", delivered.Errors.Select(e => e.Message)));
            issued!.Status.Should().Be(SubmitStatus.Issued);
            CheckPkcs12(path, Password, CaBundle());
        }

        [Fact]
        public void The_key_is_made_as_long_as_the_template_asks()
        {
            // The CA's User template, as its policy service would list it after an administrator raised its minimum key size.
            var definition = _ws.RequireConnector("ca");
            var user = PSCertConnector.Core.Connectors.Embedded.EmbeddedCaTemplates.Find("User")! with { MinimumKeySize = 3072 };
            _ws.Store.ReplacePolicy(definition, new[] { user }, Array.Empty<EnrollmentService>(), DateTimeOffset.UtcNow);
            var path = _home.File("strong.pfx");
            var sink = new RecordingSink();
            var issued = New("CN=Strong Key", new ExportFileOptions { Path = path }, Password, sink: sink);
            sink.Warnings.Should().ContainSingle().Which.Should().Contain("at least 3072 bits");
            OpenSsl.Ok($"pkcs12 -in \"{path}\" -passin pass:{Password} -nokeys -clcerts -out \"{_home.File("strong.pem")}\"");
            OpenSsl.Ok($"x509 -in \"{_home.File("strong.pem")}\" -noout -text").Should().Contain("Public-Key: (3072 bit)");
            issued.Status.Should().Be(SubmitStatus.Issued);
        }

        [Fact]
        public void Bad_delivery_settings_are_refused_before_any_key_is_made()
        {
            var device = Recipient("device-x");
            var cases = new (ExportFileOptions File, string? Password, string ErrorId)[]
            {
                (new ExportFileOptions { Path = _home.File("both.pfx"), Recipient = Der(device.Certificate) }, Password, "PasswordAndRecipient"),
                (new ExportFileOptions { Path = _home.File("none.pfx") }, null, "PasswordRequired"),
                (new ExportFileOptions { Path = Path.Combine(_home.Path, "no-such-folder", "x.pfx") }, Password, "FolderNotFound"),
            };
            var ecKey = _home.File("ec.key");
            var ecCert = _home.File("ec.pem");
            OpenSsl.Ok($"req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout \"{ecKey}\" -out \"{ecCert}\" -subj /CN=ec -days 2");
            cases = cases.Append((new ExportFileOptions { Path = _home.File("ec.p7m"), Recipient = Der(ecCert) }, null, "InvalidRecipient")).ToArray();
            foreach (var (file, password, errorId) in cases)
            {
                var sink = new RecordingSink();
                new PfxOperations(_ws, sink).New("ca", "User", new RequestSpec { Subject = "CN=refused" }, file, password, false).Should().BeNull();
                sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be(errorId);
            }
            _ws.Store.QueryOrders(new OrderQuery()).Should().BeEmpty("nothing was sent to the CA");
            _ws.Store.Database.Query("SELECT key_id FROM request_keys", r => r.GetString(0)).Should().BeEmpty("no key was made");
        }

        [Fact]
        public void An_imported_pfx_is_encrypted_again_to_a_new_recipient_and_recorded_in_the_inventory()
        {
            // An S/MIME PFX made elsewhere (OpenSSL), behind a password.
            var key = _home.File("smime.key");
            var cert = _home.File("smime.pem");
            OpenSsl.Ok($"req -x509 -newkey rsa:2048 -nodes -keyout \"{key}\" -out \"{cert}\" -subj /CN=bob@contoso.com -days 30");
            var pfx = _home.File("smime.pfx");
            OpenSsl.Ok($"pkcs12 -export -in \"{cert}\" -inkey \"{key}\" -out \"{pfx}\" -passout pass:{Password}");

            var device = Recipient("device-09");
            var out1 = _home.File("bob-device-09.p7m");
            var sink = new RecordingSink();
            var done = new PfxOperations(_ws, sink).Reencrypt(pfx, Password, null, new ExportFileOptions { Path = out1, Recipient = Der(device.Certificate) }, null, false);
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            done!.Subject.Should().Be("CN=bob@contoso.com");
            var inner = Decrypt(out1, device);
            OpenSsl.Ok($"pkcs12 -in \"{inner}\" -passin pass: -nocerts -nodes").Should().Contain("PRIVATE KEY");
            var recorded = _ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = done.Thumbprint }).Single();
            recorded.Source.Should().Be(CertificateSource.Imported);
            recorded.Connector.Should().Be("imported");

            // That envelope, opened with device-09's key (as a PFX), goes on to device-10.
            var holder = _home.File("device-09.pfx");
            OpenSsl.Ok($"pkcs12 -export -in \"{device.Certificate}\" -inkey \"{device.Key}\" -out \"{holder}\" -passout pass:{Password}");
            var next = Recipient("device-10");
            var out2 = _home.File("bob-device-10.p7m");
            new PfxOperations(_ws, sink).Reencrypt(out1, null, (holder, Password), new ExportFileOptions { Path = out2, Recipient = Der(next.Certificate) }, null, false);
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            OpenSsl.Ok($"pkcs12 -in \"{Decrypt(out2, next)}\" -passin pass: -nokeys").Should().Contain("bob@contoso.com");
            _ws.Events.Read(new EventQuery(), out _).Count(e => e.Id == EventIds.PfxReencrypted).Should().Be(2);
        }

        [Fact]
        public void A_wrong_password_is_a_named_error_and_writes_nothing()
        {
            var key = _home.File("w.key");
            var cert = _home.File("w.pem");
            OpenSsl.Ok($"req -x509 -newkey rsa:2048 -nodes -keyout \"{key}\" -out \"{cert}\" -subj /CN=w -days 2");
            var pfx = _home.File("w.pfx");
            OpenSsl.Ok($"pkcs12 -export -in \"{cert}\" -inkey \"{key}\" -out \"{pfx}\" -passout pass:{Password}");
            var device = Recipient("device-w");
            var output = _home.File("w.p7m");
            var sink = new RecordingSink();
            new PfxOperations(_ws, sink).Reencrypt(pfx, "not-it", null, new ExportFileOptions { Path = output, Recipient = Der(device.Certificate) }, null, false).Should().BeNull();
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("PfxUnreadable");
            sink.Errors[0].Message.Should().NotContain("not-it");
            File.Exists(output).Should().BeFalse();
            _ws.Events.Read(new EventQuery(), out _).Should().Contain(e => e.Id == EventIds.PfxReencryptFailed);
        }

        [Fact]
        public void Through_the_cli_pfx_new_writes_both_forms_and_pfx_reencrypt_moves_one_to_another_device()
        {
            using var home = new TempHome();
            (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(home.Path, args);
            Cli("connector", "add", "ca", "--type", "local").Exit.Should().Be(0);
            Environment.SetEnvironmentVariable("PSC_TEST_PFX_PASSWORD", Password);
            var pfx = home.File("alice.pfx");
            var made = Cli("pfx", "new", "--connector", "ca", "--template", "User", "--subject", "CN=Alice Cli", "--san", "email=alice@contoso.com",
                "--password-env", "PSC_TEST_PFX_PASSWORD", "--out", pfx);
            made.Exit.Should().Be(0, made.Err);
            made.Out.Should().Contain("AES-256-CBC").And.Contain("key not kept").And.NotContain(Password);
            OpenSsl.Ok($"pkcs12 -in \"{pfx}\" -passin pass:{Password} -nokeys").Should().Contain("Alice Cli");

            var device = Recipient("cli-device");
            var envelope = home.File("cli-device.p7m");
            var json = Cli("pfx", "new", "--connector", "ca", "--template", "User", "--subject", "CN=Device Cli", "--to", device.Certificate, "--out", envelope, "--archive-key", "--json");
            json.Exit.Should().Be(0, json.Err);
            var issued = System.Text.Json.JsonDocument.Parse(json.Out).RootElement;
            issued.GetProperty("keyArchived").GetBoolean().Should().BeTrue();
            issued.GetProperty("protection").GetString().Should().Contain("CMS EnvelopedData");
            OpenSsl.Ok($"pkcs12 -in \"{Decrypt(envelope, device)}\" -passin pass: -nokeys").Should().Contain("Device Cli");

            var next = Recipient("cli-device-2");
            var moved = home.File("cli-device-2.p7m");
            var reencrypted = Cli("pfx", "reencrypt", "--in", pfx, "--password-env", "PSC_TEST_PFX_PASSWORD", "--to", next.Certificate, "--out", moved);
            reencrypted.Exit.Should().Be(0, reencrypted.Err);
            reencrypted.Out.Should().Contain("CN=Alice Cli").And.Contain("'imported'");
            OpenSsl.Ok($"pkcs12 -in \"{Decrypt(moved, next)}\" -passin pass: -nocerts -nodes").Should().Contain("PRIVATE KEY");

            var refused = Cli("pfx", "new", "--connector", "ca", "--template", "User", "--subject", "CN=x", "--out", home.File("x.pfx"));
            refused.Exit.Should().NotBe(0);
            refused.Err.Should().Contain("[PasswordRequired]");
        }
    }
}
