using System.Text;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core.Connectors.Embedded;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>OpenSSL accepts what we produce, and we read what OpenSSL produces.</summary>
    public sealed class OpenSslInteropTests : IDisposable
    {
        private readonly TempHome _home = new();
        private readonly Workspace _ws;

        public OpenSslInteropTests()
        {
            _ws = Workspace.Open(_home.Path);
            var sink = new RecordingSink();
            new ConnectorOperations(_ws, sink).Add(new ConnectorDefinition { Name = "ossl", Type = "local" }, null);
            sink.Errors.Should().BeEmpty();
        }

        public void Dispose()
        {
            _ws.Dispose();
            _home.Dispose();
        }

        private string Write(string name, byte[] content)
        {
            var path = _home.File(name);
            File.WriteAllBytes(path, content);
            return path;
        }

        private string Write(string name, string content) => Write(name, Encoding.ASCII.GetBytes(content));

        [Fact]
        public void Openssl_verifies_the_csr_built_from_the_guide_certreq_ini()
        {
            var sink = new RecordingSink();
            new RequestOperations(_ws, sink).BuildFromInf(Samples.GuideCertreqIni);
            var request = sink.Single<CertificateRequestResult>();
            var path = Write("ra.csr", request.CsrPem);
            var output = OpenSsl.Ok($"req -in {path} -verify -noout -text");
            output.Should().Contain("verify OK").And.Contain("CN = ra01.contoso.com").And.Contain("Public-Key: (2048 bit)");
            output.Should().Contain("Digital Signature, Key Encipherment").And.Contain("TLS Web Client Authentication");
            output.Should().Contain("1.3.6.1.4.1.311.13.2.2", "the CSP attribute certreq writes for ProviderName");
        }

        [Fact]
        public void Openssl_verifies_issued_certificates_against_the_exported_chain_and_crl()
        {
            var sink = new RecordingSink();
            var req = new RequestOperations(_ws, sink);
            req.Build(new RequestSpec { Subject = "CN=www.contoso.com,O=Contoso", KeyAlgorithm = KeyAlgorithm.Rsa, KeyLength = 2048,
                SubjectAlternativeNames = new[] { new SubjectAlternativeName(SanType.Dns, "www.contoso.com"), new SubjectAlternativeName(SanType.IpAddress, "192.0.2.10") } });
            var orders = new OrderOperations(_ws, sink);
            orders.Fetch(new[] { orders.Submit("ossl", "WebServer", sink.Single<CertificateRequestResult>().Csr)! });
            var cert = sink.Single<CertificateRecord>();

            var ca = ((LocalConnector)_ws.Connect("ossl")).Authority;
            var root = Write("root.pem", Pem.Encode("CERTIFICATE", ca.RootCertificate));
            var issuing = Write("issuing.pem", Pem.Encode("CERTIFICATE", ca.IssuingCertificate));
            var leaf = Write("leaf.pem", Pem.Encode("CERTIFICATE", cert.Der));
            OpenSsl.Ok($"verify -CAfile {root} -untrusted {issuing} -purpose sslserver {leaf}").Should().Contain("OK");

            var text = OpenSsl.Ok($"x509 -in {leaf} -noout -text");
            text.Should().Contain("X509v3 Subject Key Identifier").And.Contain("X509v3 Authority Key Identifier")
                .And.Contain("X509v3 CRL Distribution Points").And.Contain("CA Issuers - URI:")
                .And.Contain("DNS:www.contoso.com").And.Contain("IP Address:192.0.2.10").And.Contain("TLS Web Server Authentication");

            // The exported chain is what openssl needs, and the published CRL makes revocation checking work.
            var export = new InventoryOperations(_ws, sink).Export(new CertificateSelector(cert.SerialNumber, null, null), ExportFormat.Pem, true, null)!;
            var bundle = Write("bundle.pem", export.Content);
            OpenSsl.Ok($"verify -CAfile {root} -untrusted {bundle} {leaf}");
            var crlPem = Write("ca.crl.pem", Pem.Encode("X509 CRL", ca.CurrentCrl()));
            OpenSsl.Ok($"verify -crl_check -CAfile {root} -untrusted {issuing} -CRLfile {crlPem} {leaf}").Should().Contain("OK");

            new InventoryOperations(_ws, sink).Revoke(new[] { new CertificateSelector(cert.SerialNumber, null, null) }, RevocationReason.KeyCompromise, null);
            File.WriteAllText(crlPem, Pem.Encode("X509 CRL", ca.CurrentCrl()));
            var (code, output) = OpenSsl.Run($"verify -crl_check -CAfile {root} -untrusted {issuing} -CRLfile {crlPem} {leaf}");
            code.Should().NotBe(0);
            output.Should().Contain("certificate revoked");
        }

        [Fact]
        public void Openssl_lists_revoked_serials_with_their_reasons()
        {
            var ca = ((LocalConnector)_ws.Connect("ossl")).Authority;
            var reasons = new[] { RevocationReason.KeyCompromise, RevocationReason.Superseded, RevocationReason.CertificateHold, RevocationReason.CessationOfOperation };
            var serials = new List<string>();
            foreach (var reason in reasons)
            {
                using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
                var issued = ca.Submit(CsrBuilder.Build(new RequestSpec { Subject = "CN=" + reason, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key), "User", new Dictionary<string, string>());
                var serial = CertificateReader.Read(issued.Certificate!).SerialNumber;
                ca.Revoke(serial, reason, null);
                serials.Add(serial);
            }
            var sink = new RecordingSink();
            new CrlOperations(_ws, sink).Show("ossl");
            var report = sink.Single<CrlReport>();
            var crl = Write("list.crl", report.Der);
            var issuing = Write("issuing-ca.pem", Pem.Encode("CERTIFICATE", ca.IssuingCertificate));
            var text = OpenSsl.Ok($"crl -inform DER -in {crl} -noout -text -CAfile {issuing}");
            text.Should().Contain("verify OK").And.Contain("X509v3 CRL Number").And.Contain("Next Update");
            foreach (var serial in serials) text.Should().Contain(serial);
            text.Should().Contain("Key Compromise").And.Contain("Superseded").And.Contain("Certificate Hold").And.Contain("Cessation Of Operation");
            report.CrlNumber.Should().NotBeNull();
        }

        [Fact]
        public void Openssl_reads_our_pfx_with_its_password_and_finds_the_key()
        {
            var sink = new RecordingSink();
            new RequestOperations(_ws, sink).Build(new RequestSpec { Subject = "CN=pfx.contoso.com", Exportable = true });
            var orders = new OrderOperations(_ws, sink);
            orders.Fetch(new[] { orders.Submit("ossl", "Machine", sink.Single<CertificateRequestResult>().Csr)! });
            var cert = sink.Single<CertificateRecord>();
            var pfx = new InventoryOperations(_ws, sink).Export(new CertificateSelector(cert.SerialNumber, null, null), ExportFormat.Pfx, true, "Pa55-word")!;
            var path = Write("cert.pfx", pfx.Content);
            var output = OpenSsl.Ok($"pkcs12 -in {path} -passin pass:Pa55-word -nodes");
            output.Should().Contain("BEGIN PRIVATE KEY").And.Contain("subject=CN = pfx.contoso.com");
            OpenSsl.Run($"pkcs12 -in {path} -passin pass:wrong -nodes").ExitCode.Should().NotBe(0);
        }

        [Fact]
        public void We_read_csrs_certificates_and_crls_that_openssl_made()
        {
            var dir = _home.Path;
            OpenSsl.Ok("req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj /CN=OpenSSL-CA -addext subjectAltName=DNS:ca.example", dir);
            OpenSsl.Ok("req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr -subj /CN=leaf.example/O=Example -addext subjectAltName=DNS:leaf.example,email:ops@example.com", dir);
            var csr = CsrParser.Parse(File.ReadAllBytes(Path.Combine(dir, "leaf.csr")));
            csr.CommonName.Should().Be("leaf.example");
            csr.KeyAlgorithm.Should().Be(KeyAlgorithm.EcdsaP256);
            csr.SubjectAlternativeNames.Should().Contain(new SubjectAlternativeName(SanType.Email, "ops@example.com"));

            var details = CertificateReader.Read(File.ReadAllBytes(Path.Combine(dir, "ca.pem")));
            details.CommonName.Should().Be("OpenSSL-CA");
            details.IsCa.Should().BeTrue();
            details.SubjectAlternativeNames.Should().ContainSingle().Which.Value.Should().Be("ca.example");

            // A CRL made with 'openssl ca -gencrl' after revoking one certificate for key compromise.
            File.WriteAllText(Path.Combine(dir, "index.txt"), "");
            File.WriteAllText(Path.Combine(dir, "crlnumber"), "1000\n");
            File.WriteAllText(Path.Combine(dir, "ca.cnf"), "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=5\ncertificate=ca.pem\nprivate_key=ca.key\nnew_certs_dir=.\nserial=serial\npolicy=p\n[p]\ncommonName=supplied\n");
            File.WriteAllText(Path.Combine(dir, "serial"), "1A2B\n");
            OpenSsl.Ok("ca -batch -config ca.cnf -in leaf.csr -out leaf.pem -days 5 -notext", dir);
            OpenSsl.Ok("ca -batch -config ca.cnf -revoke leaf.pem -crl_reason keyCompromise", dir);
            OpenSsl.Ok("ca -batch -config ca.cnf -gencrl -out ca.crl", dir);
            var crl = CrlReader.Read(File.ReadAllBytes(Path.Combine(dir, "ca.crl")), File.ReadAllBytes(Path.Combine(dir, "ca.pem")));
            crl.SignatureValid.Should().BeTrue();
            crl.CrlNumber.Should().Be(0x1000.ToString());
            crl.Entries.Should().ContainSingle().Which.Should().Match<CrlEntry>(e => e.SerialNumber == "1A2B" && e.Reason == RevocationReason.KeyCompromise);
        }

        [Fact]
        public void An_ec_key_with_explicit_curve_parameters_is_rejected_before_use()
        {
            var dir = _home.Path;
            OpenSsl.Ok("ecparam -name prime256v1 -param_enc explicit -genkey -noout -out explicit.key", dir);
            OpenSsl.Ok("req -new -key explicit.key -out explicit.csr -subj /CN=explicit", dir);
            FluentActions.Invoking(() => CsrParser.Parse(File.ReadAllBytes(Path.Combine(dir, "explicit.csr"))))
                .Should().Throw<PscException>().Where(e => e.ErrorId == "ExplicitCurveRejected");
        }
    }
}
