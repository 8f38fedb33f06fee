using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// Renewal against the Lab over HTTPS: AD CS's CES and /certsrv take a renewal signed with the old certificate's key
    /// and issue it without approval while that certificate is valid; DigiCert ONE and CertCentral renew with a plain
    /// request. OpenSSL checks the signed request itself.
    /// </summary>
    [Collection("cli")]
    public sealed class LabRenewalTests : IClassFixture<LabFixture>, IDisposable
    {
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();

        public LabRenewalTests(LabFixture lab) => _lab = lab;

        public void Dispose() => _home.Dispose();

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        private JsonElement Json(params string[] args) => InProcessCli.Json(_home.Path, args);

        private JsonElement RenewOne(string serial) => Json("renew", serial).EnumerateArray().Single();

        [Theory]
        [InlineData("adcs-ces")]
        [InlineData("adcs-web")]
        public void A_signed_renewal_of_a_valid_certificate_of_an_approval_template_is_issued_at_once(string type)
        {
            Environment.SetEnvironmentVariable("PSC_TEST_LAB_PASSWORD", LabFixture.Password);
            Cli("connector", "add", "lab", "--type", type, "--setting", "host=localhost", "--setting", $"port={_lab.Server.BaseUri.Port}",
                "--setting", $"caName={_lab.Authority.CaName}", "--setting", $"user={LabFixture.User}", "--setting", $"caBundle={_lab.Authority.BundlePath}",
                "--secret-env", "PSC_TEST_LAB_PASSWORD").Exit.Should().Be(0);
            var csr = _home.File("app.csr");
            Cli("request", "new", "--subject", $"CN=renew-{type}.contoso.com", "--san", $"dns=renew-{type}.contoso.com", "--out", csr).Exit.Should().Be(0);
            var order = Json("submit", "--connector", "lab", "--template", "WebServerApproval", "--csr", csr);
            order.GetProperty("status").GetString().Should().Be("pending");
            _lab.Authority.Ca.Approve(long.Parse(order.GetProperty("requestId").GetString()!)); // the CA manager, on the CA
            var id = order.GetProperty("id").GetInt64().ToString();
            var old = Json("order", "fetch", id).EnumerateArray().Single().GetProperty("serialNumber").GetString()!;

            var renewal = RenewOne(old);

            renewal.GetProperty("signedWithOldKey").GetBoolean().Should().BeTrue();
            renewal.GetProperty("status").GetString().Should().Be("issued", "the Lab, as AD CS, renews a valid certificate of the template without approval");
            var successor = renewal.GetProperty("serialNumber").GetString()!;
            _lab.Authority.Ca.GetBySerial(successor).Status.Should().Be(SubmitStatus.Issued);
            var successorRecord = Json("cert", "show", successor);
            successorRecord.GetProperty("subjectAlternativeNames").EnumerateArray().Select(s => s.GetString()).Should().Equal($"dns=renew-{type}.contoso.com");
            Json("cert", "show", old).GetProperty("renewedBy").GetString().Should().Be(successorRecord.GetProperty("thumbprint").GetString());
            var pem = _home.File("successor.pem");
            Cli("cert", "export", successor, "--format", "pem", "--out", pem).Exit.Should().Be(0);
            OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{pem}\"").Should().Contain("OK");

            // Revoked on the CA (the inventory has not heard yet): the signature no longer vouches, the renewal waits.
            _lab.Authority.Ca.Revoke(successor, RevocationReason.KeyCompromise, null);
            var waits = RenewOne(successor);
            waits.GetProperty("signedWithOldKey").GetBoolean().Should().BeTrue();
            waits.GetProperty("status").GetString().Should().Be("pending");
        }

        [Fact]
        public void DigiCert_one_and_certcentral_renew_with_a_plain_request_through_the_lab()
        {
            Environment.SetEnvironmentVariable("PSC_TEST_DIGICERT_KEY", LabFixture.ApiKey);
            Cli("connector", "add", "one", "--type", "digicert-one", "--setting", $"url={_lab.Server.BaseUri.AbsoluteUri}",
                "--setting", $"caBundle={_lab.Authority.BundlePath}", "--secret-env", "PSC_TEST_DIGICERT_KEY").Exit.Should().Be(0);
            Cli("connector", "add", "cc", "--type", "digicert-certcentral", "--setting", $"url={_lab.Server.BaseUri.AbsoluteUri}",
                "--setting", $"caBundle={_lab.Authority.BundlePath}", "--setting", "organizationId=112233", "--secret-env", "PSC_TEST_DIGICERT_KEY").Exit.Should().Be(0);
            var web = Json("template", "list", "one", "--refresh").EnumerateArray()
                .First(p => p.GetProperty("displayName").GetString() == "Web Server").GetProperty("name").GetString()!;

            foreach (var (connector, template) in new[] { ("one", web), ("cc", "WebServer") })
            {
                var csr = _home.File(connector + ".csr");
                Cli("request", "new", "--subject", $"CN={connector}-renew.contoso.com", "--san", $"dns={connector}-renew.contoso.com", "--out", csr).Exit.Should().Be(0);
                var order = Json("submit", "--connector", connector, "--template", template, "--csr", csr);
                order.GetProperty("status").GetString().Should().Be("issued");
                var old = Json("order", "fetch", order.GetProperty("id").GetInt64().ToString()).EnumerateArray().Single().GetProperty("serialNumber").GetString()!;

                var renewal = RenewOne(old);

                renewal.GetProperty("signedWithOldKey").GetBoolean().Should().BeFalse("DigiCert takes a PKCS#10");
                renewal.GetProperty("status").GetString().Should().Be("issued", connector);
                renewal.GetProperty("connector").GetString().Should().Be(connector);
                var successor = renewal.GetProperty("serialNumber").GetString()!;
                _lab.Authority.Ca.GetBySerial(successor).Status.Should().Be(SubmitStatus.Issued);
                Json("cert", "show", successor).GetProperty("renews").GetString().Should().Be(Json("cert", "show", old).GetProperty("thumbprint").GetString());
            }
        }

        [Fact]
        public void OpenSsl_verifies_the_signature_of_a_signed_renewal_request_and_reads_the_request_inside()
        {
            // The old certificate and its key from OpenSSL, so the check does not rest on our own certificate code.
            var oldKeyPem = _home.File("old.key");
            var oldCert = _home.File("old.pem");
            OpenSsl.Ok($"req -x509 -newkey rsa:2048 -nodes -keyout {oldKeyPem} -subj /CN=old.contoso.com -days 30 -out {oldCert}");
            var oldKeyDer = _home.File("old.key.der");
            OpenSsl.Ok($"pkcs8 -topk8 -nocrypt -in {oldKeyPem} -outform DER -out {oldKeyDer}");
            using var oldKey = AsymmetricKey.ImportPkcs8(File.ReadAllBytes(oldKeyDer));
            using var newKey = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var request = CsrBuilder.Build(new RequestSpec { Subject = "CN=old.contoso.com", SubjectAlternativeNames = new[] { new SubjectAlternativeName(SanType.Dns, "old.contoso.com") } }, newKey);

            var signed = SignedRenewalRequest.Sign(request, Pem.ReadPemOrDer(File.ReadAllBytes(oldCert), "certificate", "CERTIFICATE"), oldKey);

            var p7 = _home.File("renewal.p7b");
            File.WriteAllBytes(p7, signed);
            var inner = _home.File("inner.der");
            OpenSsl.Run($"cms -verify -inform DER -in {p7} -CAfile {oldCert} -purpose any -out {inner}").Output.Should().Contain("Verification successful");
            File.ReadAllBytes(inner).Should().Equal(request, "the content is the PKCS#10 as built");
            OpenSsl.Ok($"req -inform DER -in {inner} -verify -noout -subject").Should().Contain("verify OK").And.Contain("old.contoso.com");
            OpenSsl.Ok($"pkcs7 -inform DER -in {p7} -print_certs -noout").Should().MatchRegex("subject=CN ?= ?old.contoso.com", "the signer's certificate travels in the SignedData");

            // One changed byte of the request inside: OpenSSL refuses it.
            var tampered = (byte[])signed.Clone();
            var at = IndexOf(tampered, request) + request.Length / 2;
            tampered[at] ^= 0x01;
            File.WriteAllBytes(p7, tampered);
            OpenSsl.Run($"cms -verify -inform DER -in {p7} -CAfile {oldCert} -purpose any -out {inner}").ExitCode.Should().NotBe(0);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
            throw new InvalidOperationException("The request is not inside the SignedData.");
        }
    }
}
