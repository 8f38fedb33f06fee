using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// The Lab as a client written for real AD CS meets it: requests shaped as certmonger's cepces helper sends them
    /// (no CertificateTemplate context item, the template only in the CSR's extension, made here by OpenSSL), and the
    /// chain and CRLs followed over the http:// AIA and CDP URLs of what the Lab issues.
    /// </summary>
    public sealed class LabFidelityTests : IClassFixture<LabFixture>, IDisposable
    {
        private const int NoCertType = unchecked((int)0x80094801); // CERTSRV_E_NO_CERT_TYPE
        private static readonly XNamespace S = "http://www.w3.org/2003/05/soap-envelope";
        private static readonly XNamespace A = "http://www.w3.org/2005/08/addressing";
        private static readonly XNamespace Wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
        private static readonly XNamespace Wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
        private static readonly XNamespace Wst = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
        private static readonly XNamespace Enrollment = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";

        private readonly LabFixture _lab;
        private readonly TempHome _home = new();

        public LabFidelityTests(LabFixture lab) => _lab = lab;

        public void Dispose() => _home.Dispose();

        /// <summary>A CSR made by OpenSSL, with the given request extensions (openssl req -addext syntax).</summary>
        private string OpenSslCsr(string commonName, params string[] addext)
        {
            var config = _home.File(Guid.NewGuid().ToString("N") + ".cnf");
            File.WriteAllText(config, "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=" + commonName + "\n" +
                "[webserverapproval]\noid=OID:" + EmbeddedCaTemplates.Find("WebServerApproval")!.Oid + "\nmajor=INTEGER:100\nminor=INTEGER:0\n");
            var csr = _home.File(Guid.NewGuid().ToString("N") + ".csr");
            var extensions = string.Join(" ", addext.Select(e => $"-addext \"{e}\""));
            OpenSsl.Ok($"req -new -newkey rsa:2048 -nodes -keyout \"{csr}.key\" -config \"{config}\" {extensions} -addext \"subjectAltName=DNS:{commonName}\" -out \"{csr}\"");
            return File.ReadAllText(csr);
        }

        private const string TemplateNameExtension = "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:";
        private const string TemplateOidExtension = "1.3.6.1.4.1.311.21.7=ASN1:SEQUENCE:webserverapproval";

        private HttpClient Client(X509Certificate2? clientCertificate = null)
        {
            var root = X509CertificateLoader.LoadCertificate(_lab.Authority.Ca.RootCertificate);
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(_lab.Authority.Ca.IssuingCertificate));
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate != null && chain.Build(new X509Certificate2(certificate));
            };
            if (clientCertificate != null) handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
            return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        }

        /// <summary>A RequestSecurityToken as cepces builds it: TokenType, RequestType, the token (with an empty wsu:Id), no AdditionalContext.</summary>
        private static XElement CepcesRequest(string requestType, string? csrBase64, long? requestId)
        {
            var rst = new XElement(Wst + "RequestSecurityToken",
                new XElement(Wst + "TokenType", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"),
                new XElement(Wst + "RequestType", requestType),
                new XElement(Wsse + "BinarySecurityToken",
                    new XAttribute("ValueType", "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10"),
                    new XAttribute("EncodingType", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary"),
                    new XAttribute(Wsu + "Id", ""),
                    csrBase64 ?? ""));
            if (requestId != null) rst.Add(new XElement(Enrollment + "RequestID", requestId));
            return rst;
        }

        private async Task<XDocument> Send(HttpClient client, Uri endpoint, XElement payload, bool usernameToken)
        {
            var header = new XElement(S + "Header",
                new XElement(A + "Action", new XAttribute(S + "mustUnderstand", "1"), "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep"),
                new XElement(A + "MessageID", "urn:uuid:" + Guid.NewGuid()),
                new XElement(A + "To", new XAttribute(S + "mustUnderstand", "1"), endpoint.AbsoluteUri));
            if (usernameToken)
                header.Add(new XElement(Wsse + "Security", new XAttribute(S + "mustUnderstand", "1"),
                    new XElement(Wsse + "UsernameToken",
                        new XElement(Wsse + "Username", LabFixture.User),
                        new XElement(Wsse + "Password", LabFixture.Password),
                        new XElement(Wsse + "Nonce", Convert.ToBase64String(Guid.NewGuid().ToByteArray())),
                        new XElement(Wsu + "Created", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ")))));
            var envelope = new XDocument(new XElement(S + "Envelope", new XAttribute(XNamespace.Xmlns + "s", S.NamespaceName), header, new XElement(S + "Body", payload)));
            using var content = new StringContent(envelope.ToString(SaveOptions.DisableFormatting), Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/soap+xml; charset=utf-8");
            using var response = await client.PostAsync(endpoint, content);
            return XDocument.Parse(await response.Content.ReadAsStringAsync());
        }

        private static string Base64Body(string pem) =>
            Regex.Match(pem, "-----BEGIN CERTIFICATE REQUEST-----(.*)-----END CERTIFICATE REQUEST-----", RegexOptions.Singleline).Groups[1].Value.Replace("\n", "").Trim();

        private static byte[]? IssuedCertificate(XDocument answer) =>
            answer.Descendants(Wst + "RequestedSecurityToken").Elements(Wsse + "BinarySecurityToken").Select(t => Convert.FromBase64String(t.Value.Replace("\r\n", ""))).FirstOrDefault();

        private string VerifyWithOpenSsl(byte[] certificate)
        {
            var path = _home.File(Guid.NewGuid().ToString("N") + ".pem");
            File.WriteAllText(path, Pem.Encode("CERTIFICATE", certificate));
            return OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{path}\"");
        }

        [Fact]
        public async Task A_cepces_shaped_request_is_issued_for_the_template_named_only_in_the_csr_extension()
        {
            using var client = Client();
            var ces = _lab.Server.EnrollmentUri(AdcsAuthentication.UsernamePassword);
            var csr = OpenSslCsr("cm01.contoso.com", TemplateNameExtension + "WebServer");

            var answer = await Send(client, ces, CepcesRequest("http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue", Base64Body(csr), null), usernameToken: true);

            answer.Descendants(S + "Fault").Should().BeEmpty(answer.ToString());
            var certificate = IssuedCertificate(answer);
            certificate.Should().NotBeNull(answer.ToString());
            VerifyWithOpenSsl(certificate!).Should().Contain("OK");
            var details = CertificateReader.Read(certificate!);
            details.CommonName.Should().Be("cm01.contoso.com");
            details.Template.Should().Be("WebServer");
        }

        [Fact]
        public async Task The_template_oid_extension_names_an_approval_template_and_cepces_polling_fetches_it_once_approved()
        {
            var pfx = _lab.IssueClientPfx(_home.File("client.pfx"), "cepces-host.contoso.com", "pfx-pass");
            using var clientCertificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, "pfx-pass");
            using var client = Client(clientCertificate);
            var ces = _lab.Server.EnrollmentUri(AdcsAuthentication.Certificate);
            var csr = OpenSslCsr("cm02.contoso.com", TemplateOidExtension);

            var submitted = await Send(client, ces, CepcesRequest("http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue", Base64Body(csr), null), usernameToken: false);
            submitted.Descendants(S + "Fault").Should().BeEmpty(submitted.ToString());
            IssuedCertificate(submitted).Should().BeNull("WebServerApproval waits for a CA manager");
            var requestId = long.Parse(submitted.Descendants(Enrollment + "RequestID").Single().Value);
            submitted.Descendants(Wsse + "Reference").Single().Attribute("URI")!.Value.Should().Be(ces.AbsoluteUri);

            _lab.Authority.Ca.Approve(requestId);
            var polled = await Send(client, ces, CepcesRequest("http://schemas.microsoft.com/windows/pki/2009/01/enrollment/QueryTokenStatus", null, requestId), usernameToken: false);

            var certificate = IssuedCertificate(polled);
            certificate.Should().NotBeNull(polled.ToString());
            VerifyWithOpenSsl(certificate!).Should().Contain("OK");
            CertificateReader.Read(certificate!).Template.Should().Be("WebServerApproval");
        }

        [Fact]
        public async Task A_request_that_names_no_template_anywhere_is_refused_as_AD_CS_refuses_it()
        {
            using var client = Client();
            var ces = _lab.Server.EnrollmentUri(AdcsAuthentication.UsernamePassword);
            var answer = await Send(client, ces, CepcesRequest("http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue", Base64Body(OpenSslCsr("none.contoso.com")), null), usernameToken: true);

            answer.Descendants(S + "Fault").Should().ContainSingle(answer.ToString());
            answer.Descendants(Enrollment + "ErrorCode").Single().Value.Should().Be(NoCertType.ToString());
        }

        [Fact]
        public async Task Web_enrollment_takes_the_template_from_the_csr_when_CertAttrib_names_none()
        {
            using var client = Client();
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Mode"] = "newreq",
                ["CertRequest"] = OpenSslCsr("web01.contoso.com", TemplateNameExtension + "WebServer"),
                ["CertAttrib"] = "",
                ["TargetStoreFlags"] = "0",
            });
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_lab.Server.WebEnrollmentUri, "certfnsh.asp")) { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LabFixture.User}:{LabFixture.Password}")));
            using var response = await client.SendAsync(request);
            (await response.Content.ReadAsStringAsync()).Should().Contain("Certificate Issued");

            using var bare = new FormUrlEncodedContent(new Dictionary<string, string> { ["Mode"] = "newreq", ["CertRequest"] = OpenSslCsr("web02.contoso.com") });
            var refused = new HttpRequestMessage(HttpMethod.Post, new Uri(_lab.Server.WebEnrollmentUri, "certfnsh.asp")) { Content = bare };
            refused.Headers.Authorization = request.Headers.Authorization;
            using var refusal = await client.SendAsync(refused);
            (await refusal.Content.ReadAsStringAsync()).Should().Contain("0x80094801");
        }

        [Theory]
        [InlineData("adcs-ces")]
        [InlineData("adcs-web")]
        public void Our_connectors_submit_a_request_whose_template_is_only_in_its_extension(string type)
        {
            using var workspace = Workspace.Open(_home.File("home-" + type));
            var settings = type == "adcs-ces" ? _lab.Settings(_lab.Server, ("caName", _lab.Authority.CaName)) : _lab.Settings(_lab.Server);
            LabFixture.AddConnector(workspace, "lab", type, settings, LabFixture.Secret());
            var sink = new RecordingSink();
            var csr = Encoding.ASCII.GetBytes(OpenSslCsr($"ext-{type}.contoso.com", TemplateNameExtension + "WebServer"));

            var order = new OrderOperations(workspace, sink).Submit("lab", template: null, csr);

            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Issued);
            order.Template.Should().Be("WebServer");
        }

        [Fact]
        public async Task Every_lab_certificate_leads_over_http_to_the_root_and_to_crls_openssl_checks()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var leaf = _lab.Authority.Ca.Submit(LabFixture.NewCsr("aia.contoso.com", key), "WebServer", new Dictionary<string, string>()).Certificate!;

            // The platform's chain engine (an independent client that follows AIA) given only the leaf and the root to trust:
            // the issuing CA comes from the leaf's caIssuers URL, and each CRL from its CDP URL.
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(_lab.Authority.Ca.RootCertificate));
                chain.ChainPolicy.RevocationMode = X509RevocationMode.Online;
                chain.ChainPolicy.RevocationFlag = X509RevocationFlag.EntireChain;
                chain.ChainPolicy.UrlRetrievalTimeout = TimeSpan.FromSeconds(15);
                chain.Build(X509CertificateLoader.LoadCertificate(leaf)).Should().BeTrue(string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
                chain.ChainElements.Count.Should().Be(3);
            }

            // Walk caIssuers by hand with OpenSSL reading the URLs, fetching each over plain HTTP, until a self-signed certificate.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
            var current = _home.File("leaf.pem");
            File.WriteAllText(current, Pem.Encode("CERTIFICATE", leaf));
            var crls = new List<string>();
            var untrusted = new List<string>();
            string? root = null;
            for (int depth = 0; depth < 4 && root == null; depth++)
            {
                var text = OpenSsl.Ok($"x509 -in \"{current}\" -noout -ext authorityInfoAccess,crlDistributionPoints");
                var crlUrl = Regex.Match(text, @"URI:(http://\S+\.crl)").Groups[1].Value;
                var issuerUrl = Regex.Match(text, @"CA Issuers - URI:(http://\S+\.crt)").Groups[1].Value;
                crlUrl.Should().StartWith("http://localhost:", text);
                issuerUrl.Should().StartWith("http://localhost:", text);
                var crl = _home.File($"crl{depth}.der");
                File.WriteAllBytes(crl, await http.GetByteArrayAsync(crlUrl));
                crls.Add(crl);
                var issuer = _home.File($"issuer{depth}.der");
                File.WriteAllBytes(issuer, await http.GetByteArrayAsync(issuerUrl));
                var pem = _home.File($"issuer{depth}.pem");
                OpenSsl.Ok($"x509 -inform DER -in \"{issuer}\" -out \"{pem}\"");
                var names = OpenSsl.Ok($"x509 -in \"{pem}\" -noout -subject -issuer -nameopt RFC2253").Split('\n').Select(l => l.Substring(l.IndexOf('=') + 1).Trim()).ToArray();
                if (names[0] == names[1]) root = pem; else untrusted.Add(pem);
                current = pem;
            }
            root.Should().NotBeNull("following caIssuers reaches a self-signed root");
            File.ReadAllText(root!).Should().Be(Pem.Encode("CERTIFICATE", _lab.Authority.Ca.RootCertificate).Replace("\r\n", "\n"));
            var pemCrls = crls.Select((c, i) => { var p = _home.File($"crl{i}.pem"); OpenSsl.Ok($"crl -inform DER -in \"{c}\" -out \"{p}\""); return p; }).ToList();
            string Verify() => OpenSsl.Run($"verify -crl_check_all -CAfile \"{root}\" {string.Join(" ", untrusted.Select(u => $"-untrusted \"{u}\""))} " +
                $"{string.Join(" ", pemCrls.Select(c => $"-CRLfile \"{c}\""))} \"{_home.File("leaf.pem")}\"").Output;
            Verify().Should().Contain("OK");

            // Revoked, the CRL at the same CDP URL lists it.
            _lab.Authority.Ca.Revoke(CertificateReader.Read(leaf).SerialNumber, RevocationReason.KeyCompromise, null);
            var leafCrlUrl = Regex.Match(OpenSsl.Ok($"x509 -in \"{_home.File("leaf.pem")}\" -noout -ext crlDistributionPoints"), @"URI:(http://\S+)").Groups[1].Value;
            File.WriteAllBytes(crls[0], await http.GetByteArrayAsync(leafCrlUrl));
            OpenSsl.Ok($"crl -inform DER -in \"{crls[0]}\" -out \"{pemCrls[0]}\"");
            Verify().Should().Contain("certificate revoked");
        }
    }
}
