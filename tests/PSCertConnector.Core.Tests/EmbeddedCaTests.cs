using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Tests
{
    public sealed class EmbeddedCaTests : IDisposable
    {
        private readonly TempHome _home = new();
        private readonly EmbeddedCertificateAuthority _ca;

        public EmbeddedCaTests()
        {
            _ca = EmbeddedCertificateAuthority.OpenOrCreate(_home.File("ca"), SecretProtector.ForHome(_home.Path),
                new EmbeddedCaSettings { Name = "Test", KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        }

        public void Dispose()
        {
            _ca.Dispose();
            _home.Dispose();
        }

        private static byte[] Csr(string cn, KeyAlgorithm algorithm = KeyAlgorithm.EcdsaP256, int length = 256, params SubjectAlternativeName[] sans)
        {
            using var key = AsymmetricKey.Generate(algorithm, length);
            return CsrBuilder.Build(new RequestSpec { Subject = "CN=" + cn, KeyAlgorithm = algorithm, KeyLength = length, SubjectAlternativeNames = sans }, key);
        }

        [Fact]
        public void Issues_at_once_with_the_templates_extensions_and_the_cas_urls()
        {
            var result = _ca.Submit(Csr("web01", sans: new SubjectAlternativeName(SanType.Dns, "web01.contoso.com")), "WebServer", new Dictionary<string, string>());
            result.Status.Should().Be(SubmitStatus.Issued);
            result.Disposition.Should().Be(RequestDisposition.Issued);
            result.Chain.Should().HaveCount(2);
            var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(result.Certificate!);
            var details = CertificateReader.Read(result.Certificate!);
            details.EnhancedKeyUsages.Should().Equal(Oids.ServerAuth);
            details.SubjectAlternativeNames.Should().ContainSingle().Which.Value.Should().Be("web01.contoso.com");
            details.Template.Should().Be("WebServer");
            cert.Extensions["2.5.29.31"].Should().NotBeNull("the CRL distribution point is published");
            cert.Extensions["1.3.6.1.5.5.7.1.1"].Should().NotBeNull("AIA points at the CA certificate");
            cert.Extensions["2.5.29.14"].Should().NotBeNull();
            cert.Extensions["2.5.29.35"].Should().NotBeNull();
            var cdp = System.Text.Encoding.ASCII.GetString(cert.Extensions["2.5.29.31"]!.RawData);
            cdp.Should().Contain("Test.crl");
            File.Exists(_ca.CrlPath).Should().BeTrue();
        }

        [Fact]
        public void Approval_template_waits_then_issues_when_approved()
        {
            var pending = _ca.Submit(Csr("wait"), "WebServerApproval", new Dictionary<string, string>());
            pending.Status.Should().Be(SubmitStatus.Pending);
            pending.Certificate.Should().BeNull();
            _ca.GetRequest(long.Parse(pending.RequestId!)).Status.Should().Be(SubmitStatus.Pending);
            var issued = _ca.Approve(long.Parse(pending.RequestId!));
            issued.Status.Should().Be(SubmitStatus.Issued);
            _ca.GetRequest(long.Parse(pending.RequestId!)).Certificate.Should().Equal(issued.Certificate);
            FluentActions.Invoking(() => _ca.Approve(long.Parse(pending.RequestId!)))
                .Should().Throw<PscException>().Where(e => e.ErrorId == "RequestNotPending");
        }

        [Fact]
        public void Denied_requests_carry_the_admin_denied_hresult()
        {
            var pending = _ca.Submit(Csr("deny"), "WebServerApproval", new Dictionary<string, string>());
            var denied = _ca.Deny(long.Parse(pending.RequestId!));
            denied.Status.Should().Be(SubmitStatus.Denied);
            unchecked((uint)denied.HResult).Should().Be(0x80094014);
        }

        [Fact]
        public void Unknown_template_and_short_key_are_refused_clearly()
        {
            FluentActions.Invoking(() => _ca.Submit(Csr("x"), "NoSuchTemplate", new Dictionary<string, string>()))
                .Should().Throw<PscException>().Where(e => e.ErrorId == "TemplateNotSupported" && e.Message.Contains("WebServer"));
        }

        [Fact]
        public void Revocation_hold_and_release_are_reflected_in_numbered_crls()
        {
            var one = CertificateReader.Read(_ca.Submit(Csr("one"), "Machine", new Dictionary<string, string>()).Certificate!);
            var two = CertificateReader.Read(_ca.Submit(Csr("two"), "Machine", new Dictionary<string, string>()).Certificate!);
            var before = CrlReader.Read(_ca.CurrentCrl());

            _ca.Revoke(one.SerialNumber, RevocationReason.KeyCompromise, null);
            _ca.Revoke(two.SerialNumber, RevocationReason.CertificateHold, null);
            var crl = CrlReader.Read(_ca.CurrentCrl(), _ca.IssuingCertificate);
            crl.SignatureValid.Should().BeTrue();
            long.Parse(crl.CrlNumber!).Should().BeGreaterThan(long.Parse(before.CrlNumber!));
            crl.NextUpdate.Should().BeAfter(DateTimeOffset.UtcNow.AddDays(6));
            crl.Entries.Should().Contain(e => e.SerialNumber == one.SerialNumber && e.Reason == RevocationReason.KeyCompromise);
            crl.Entries.Should().Contain(e => e.SerialNumber == two.SerialNumber && e.Reason == RevocationReason.CertificateHold);

            FluentActions.Invoking(() => _ca.Revoke(one.SerialNumber, RevocationReason.Superseded, null))
                .Should().Throw<PscException>().Where(e => e.ErrorId == "AlreadyRevoked");
            _ca.ReleaseHold(two.SerialNumber);
            CrlReader.Read(_ca.CurrentCrl()).Entries.Select(e => e.SerialNumber).Should().Equal(one.SerialNumber);
            FluentActions.Invoking(() => _ca.ReleaseHold(one.SerialNumber)).Should().Throw<PscException>().Where(e => e.ErrorId == "NotOnHold");
        }

        [Fact]
        public void Revoking_an_unknown_serial_names_it()
        {
            FluentActions.Invoking(() => _ca.Revoke("0ABCDEF0", RevocationReason.Unspecified, null))
                .Should().Throw<PscException>().Where(e => e.ErrorId == "CertificateNotFound" && e.Message.Contains("0ABCDEF0"));
        }

        [Fact]
        public void Enumeration_pages_after_a_cursor_and_a_later_revocation_shows_up_again()
        {
            var serials = Enumerable.Range(0, 5).Select(i => CertificateReader.Read(_ca.Submit(Csr("c" + i), "User", new Dictionary<string, string>()).Certificate!).SerialNumber).ToList();
            _ca.Submit(Csr("p"), "WebServerApproval", new Dictionary<string, string>()); // pending: not enumerated

            var first = _ca.Enumerate(null, 2);
            first.Items.Should().HaveCount(2);
            first.HasMore.Should().BeTrue();
            var second = _ca.Enumerate(first.Cursor, 2);
            var third = _ca.Enumerate(second.Cursor, 2);
            third.HasMore.Should().BeFalse();
            first.Items.Concat(second.Items).Concat(third.Items).Select(i => CertificateReader.Read(i.Certificate).SerialNumber).Should().Equal(serials);

            _ca.Revoke(serials[0], RevocationReason.Superseded, null);
            var after = _ca.Enumerate(third.Cursor, 10);
            after.Items.Should().ContainSingle().Which.RevocationReason.Should().Be(RevocationReason.Superseded);
        }

        [Fact]
        public void A_revocation_whose_crl_a_killed_process_never_published_is_published_when_the_ca_next_opens()
        {
            var certificate = CertificateReader.Read(_ca.Submit(Csr("crash"), "Machine", new Dictionary<string, string>()).Certificate!);
            var before = File.ReadAllBytes(_ca.CrlPath);
            _ca.Revoke(certificate.SerialNumber, RevocationReason.KeyCompromise, null);
            // What kill -9 between the revocation's commit and the CRL's publication leaves behind: the revocation and its
            // mark committed, the old CRL still on disk.
            File.WriteAllBytes(_ca.CrlPath, before);
            using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_home.File("ca"), "ca.db")};Pooling=False"))
            {
                db.Open();
                using var mark = db.CreateCommand();
                mark.CommandText = "UPDATE ca_state SET value = '1' WHERE key = 'crl_due'";
                mark.ExecuteNonQuery().Should().Be(1, "the revocation's transaction keeps a durable 'CRL due' mark");
            }
            CrlReader.Read(File.ReadAllBytes(_ca.CrlPath)).Entries.Should().BeEmpty();

            using var reopened = EmbeddedCertificateAuthority.OpenOrCreate(_home.File("ca"), SecretProtector.ForHome(_home.Path), new EmbeddedCaSettings { Name = "Test" });
            CrlReader.Read(File.ReadAllBytes(reopened.CrlPath), reopened.IssuingCertificate).Entries
                .Should().Contain(e => e.SerialNumber == certificate.SerialNumber && e.Reason == RevocationReason.KeyCompromise);
        }

        [Fact]
        public void A_future_dated_revocation_reaches_the_crl_when_it_takes_effect_and_a_key_compromise_replaces_it()
        {
            CertificateRecordLike Issue(string cn) => new(CertificateReader.Read(_ca.Submit(Csr(cn), "Machine", new Dictionary<string, string>()).Certificate!).SerialNumber);
            var later = Issue("later");
            var effective = DateTimeOffset.UtcNow.AddSeconds(3);
            _ca.Revoke(later.Serial, RevocationReason.Superseded, effective);
            var scheduled = CrlReader.Read(_ca.CurrentCrl());
            scheduled.Entries.Should().NotContain(e => e.SerialNumber == later.Serial, "it is not revoked yet");
            scheduled.NextUpdate.Should().BeOnOrBefore(effective, "relying parties fetch a new CRL when the revocation takes effect");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTimeOffset.UtcNow < effective.AddSeconds(1.5) && DateTime.UtcNow < deadline) Thread.Sleep(250);
            CrlReader.Read(_ca.CurrentCrl()).Entries.Should().Contain(e => e.SerialNumber == later.Serial && e.Reason == RevocationReason.Superseded);

            var compromised = Issue("compromised");
            _ca.Revoke(compromised.Serial, RevocationReason.Superseded, DateTimeOffset.UtcNow.AddDays(30));
            _ca.Revoke(compromised.Serial, RevocationReason.KeyCompromise, null);
            CrlReader.Read(_ca.CurrentCrl()).Entries.Should().Contain(e => e.SerialNumber == compromised.Serial && e.Reason == RevocationReason.KeyCompromise);

            var retiring = Issue("retiring");
            _ca.Revoke(retiring.Serial, RevocationReason.Superseded, DateTimeOffset.UtcNow.AddDays(30));
            FluentActions.Invoking(() => _ca.Revoke(retiring.Serial, RevocationReason.CessationOfOperation, DateTimeOffset.UtcNow.AddDays(40)))
                .Should().Throw<PscException>().Where(e => e.ErrorId == "AlreadyRevoked" && e.Message.Contains("scheduled"));
            _ca.Revoke(retiring.Serial, RevocationReason.CessationOfOperation, DateTimeOffset.UtcNow.AddDays(10)); // an earlier date replaces it
        }

        private sealed record CertificateRecordLike(string Serial);

        [Fact]
        public void A_ca_that_cannot_be_created_leaves_no_folder_and_the_name_stays_usable()
        {
            using var home = new TempHome();
            var folder = home.File("ca-long");
            FluentActions.Invoking(() => EmbeddedCertificateAuthority.OpenOrCreate(folder, SecretProtector.ForHome(home.Path),
                new EmbeddedCaSettings { Name = new string('a', 10_000), KeyAlgorithm = KeyAlgorithm.EcdsaP256 })).Should().Throw<Exception>();
            Directory.Exists(folder).Should().BeFalse("a failed creation leaves nothing that would block the name");
            using var made = EmbeddedCertificateAuthority.OpenOrCreate(folder, SecretProtector.ForHome(home.Path),
                new EmbeddedCaSettings { Name = "Retry", KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
            made.IssuingCertificate.Should().NotBeEmpty();
        }

        [Fact]
        public void Reopening_loads_the_same_ca_and_keeps_its_database()
        {
            var issued = _ca.Submit(Csr("persist"), "User", new Dictionary<string, string>());
            using var again = EmbeddedCertificateAuthority.OpenOrCreate(_home.File("ca"), SecretProtector.ForHome(_home.Path), new EmbeddedCaSettings { Name = "Test" });
            again.IssuingCertificate.Should().Equal(_ca.IssuingCertificate);
            again.GetRequest(long.Parse(issued.RequestId!)).Status.Should().Be(SubmitStatus.Issued);
            var stored = File.ReadAllBytes(Path.Combine(_home.File("ca"), "issuing.key.protected"));
            FluentActions.Invoking(() => AsymmetricKey.ImportPkcs8(stored)).Should().Throw<PscException>("the CA key is not stored as a plain PKCS#8 key");
        }

        [Fact]
        public void An_issuing_certificate_that_is_not_a_certificate_is_reported_as_a_corrupt_ca()
        {
            using var home = new TempHome();
            var protector = SecretProtector.ForHome(home.Path);
            var settings = new EmbeddedCaSettings { Name = "C", KeyAlgorithm = KeyAlgorithm.EcdsaP256 };
            EmbeddedCertificateAuthority.OpenOrCreate(home.File("ca"), protector, settings).Dispose();
            // DER, but a SEQUENCE { INTEGER 5 } rather than a certificate: the crypto library's parser refuses it.
            File.WriteAllBytes(Path.Combine(home.File("ca"), "issuing.crt"), new byte[] { 0x30, 0x03, 0x02, 0x01, 0x05 });
            FluentActions.Invoking(() => EmbeddedCertificateAuthority.OpenOrCreate(home.File("ca"), protector, settings, allowCreate: false))
                .Should().Throw<PscException>().Where(e => e.ErrorId == "EmbeddedCaCorrupt");
        }
    }
}

namespace PSCertConnector.Core.Tests
{
    public class RootCrlTests
    {
        [Fact]
        public void A_root_crl_near_its_next_update_is_re_signed_with_the_next_number()
        {
            using var home = new TempHome();
            var protector = SecretProtector.ForHome(home.Path);
            using var ca = EmbeddedCertificateAuthority.OpenOrCreate(home.File("ca"), protector, new EmbeddedCaSettings { Name = "R", KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
            var rootCrlPath = Path.Combine(ca.PublicationFolder, "R-root.crl");
            var first = CrlReader.Read(File.ReadAllBytes(rootCrlPath), ca.RootCertificate);
            first.SignatureValid.Should().BeTrue();
            var before = File.ReadAllBytes(rootCrlPath);
            ca.PublishCrl();
            File.ReadAllBytes(rootCrlPath).Should().Equal(before, "a root CRL with most of its year left is not re-signed");

            // Replace it with one that expires in a week, signed by the root, as a year later would look.
            var rootKey = AsymmetricKey.ImportPkcs8(protector.Unprotect(File.ReadAllBytes(Path.Combine(home.File("ca"), "root.key.protected"))));
            File.WriteAllBytes(rootCrlPath, new CaSigner(ca.RootCertificate, rootKey).CreateCrl(7, DateTimeOffset.UtcNow.AddDays(-358), DateTimeOffset.UtcNow.AddDays(7), Array.Empty<CrlRevocation>()));
            ca.PublishCrl();
            var renewed = CrlReader.Read(File.ReadAllBytes(rootCrlPath), ca.RootCertificate);
            renewed.CrlNumber.Should().Be("8");
            renewed.SignatureValid.Should().BeTrue();
            renewed.NextUpdate.Should().BeAfter(DateTimeOffset.UtcNow.AddDays(300));
        }
    }
}
