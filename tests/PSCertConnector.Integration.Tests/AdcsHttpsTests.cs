using System.Diagnostics;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>The adcs-ces and adcs-web connectors against the Lab server over real HTTPS on loopback.</summary>
    public sealed class AdcsHttpsTests : IClassFixture<LabFixture>, IDisposable
    {
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();
        private readonly Workspace _workspace;

        public AdcsHttpsTests(LabFixture lab)
        {
            _lab = lab;
            _workspace = Workspace.Open(_home.Path, lab.Registry);
        }

        public void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        private ConnectorDefinition Ces(string name = "ces", params (string, string)[] extra) =>
            LabFixture.AddConnector(_workspace, name, "adcs-ces", _lab.Settings(_lab.Server, extra.Prepend(("caName", _lab.Authority.CaName)).ToArray()), LabFixture.Secret());

        private ConnectorDefinition Web(string name = "web") =>
            LabFixture.AddConnector(_workspace, name, "adcs-web", _lab.Settings(_lab.Server), LabFixture.Secret());

        private (OrderRecord? Order, RecordingSink Sink) Submit(string connector, string template, string commonName)
        {
            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit(connector, template, LabFixture.NewCsr(commonName));
            return (order, sink);
        }

        private string Verify(byte[] certificate)
        {
            var path = _home.File(Guid.NewGuid().ToString("N") + ".pem");
            File.WriteAllText(path, Pem.Encode("CERTIFICATE", certificate));
            return OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{path}\"");
        }

        [Fact]
        public void Ces_lists_the_templates_from_cep_with_approval_validity_key_size_and_usages()
        {
            Ces();
            var sink = new RecordingSink();
            new TemplateOperations(_workspace, sink).Get("ces", refresh: true);
            sink.Errors.Should().BeEmpty();
            var requestsAfterRefresh = _lab.Server.RequestCount;
            var templates = sink.All<TemplateRecord>().ToDictionary(t => t.Name);
            templates.Keys.Should().BeEquivalentTo("WebServer", "User", "Machine", "RA", "WebServerApproval", "ClientAuthApproval", "AnyPurposeApproval");
            templates["WebServerApproval"].RequiresApproval.Should().BeTrue();
            templates["WebServer"].RequiresApproval.Should().BeFalse();
            templates["WebServer"].ValidityDays.Should().Be(730);
            templates["WebServer"].Template.MinimumKeySize.Should().Be(2048);
            templates["WebServer"].Template.ExtendedKeyUsages.Should().Equal(Oids.ServerAuth);
            templates["Machine"].DisplayName.Should().Be("Computer");
            templates["Machine"].Template.Oid.Should().StartWith("1.3.6.1.4.1.311.21.8.");

            // The CA's CES endpoints came with the same answer and are cached with the templates.
            var services = new RecordingSink();
            new TemplateOperations(_workspace, services).GetEnrollmentServices("ces", refresh: false);
            var cached = services.All<EnrollmentServiceRecord>();
            cached.Select(s => s.Authentication).Should().BeEquivalentTo("UsernamePassword", "Certificate");
            cached.Should().OnlyContain(s => s.Uri.StartsWith(_lab.Server.BaseUri.AbsoluteUri) && s.Priority == 1 && !s.RenewalOnly && s.CaSubject.Contains(_lab.Authority.CaName));
            _lab.Server.RequestCount.Should().Be(requestsAfterRefresh, "the cache answered, not the policy service");
        }

        [Fact]
        public void Ces_issues_at_once_and_openssl_verifies_the_certificate_against_the_lab_chain()
        {
            Ces();
            var (order, sink) = Submit("ces", "WebServer", "www1.contoso.com");
            sink.Errors.Should().BeEmpty();
            order!.Status.Should().Be(SubmitStatus.Issued);
            order.RequestId.Should().NotBeNullOrEmpty();
            CertificateReader.Read(order.Certificate!).CommonName.Should().Be("www1.contoso.com");
            order.Chain.Select(c => CertificateReader.Read(c).Subject).Should().HaveCount(2, "the CMC response carries the issuing and root CA");
            Verify(order.Certificate!).Should().Contain("OK");
        }

        [Fact]
        public void Ces_pending_request_is_approved_polled_with_its_reference_and_fetched()
        {
            Ces();
            var (pending, _) = Submit("ces", "WebServerApproval", "approve.contoso.com");
            pending!.Status.Should().Be(SubmitStatus.Pending);
            pending.ReferenceUri.Should().Be(_lab.Server.EnrollmentUri(AdcsAuthentication.UsernamePassword).AbsoluteUri);

            var orders = new OrderOperations(_workspace, new RecordingSink());
            orders.Refresh(new[] { pending });
            _workspace.Store.GetOrder(pending.Id)!.Status.Should().Be(SubmitStatus.Pending, "nobody approved it yet");

            var sink = new RecordingSink();
            new OrderOperations(_workspace, sink).Approve(new[] { pending });
            sink.Errors.Should().BeEmpty();
            sink.Single<OrderRecord>().Status.Should().Be(SubmitStatus.Issued);

            var fetch = new RecordingSink();
            new OrderOperations(_workspace, fetch).Fetch(new[] { pending });
            fetch.Errors.Should().BeEmpty();
            var certificate = fetch.Single<CertificateRecord>();
            certificate.CommonName.Should().Be("approve.contoso.com");
            certificate.Connector.Should().Be("ces");
            Verify(certificate.Der).Should().Contain("OK");
        }

        [Fact]
        public void A_denied_ces_request_becomes_a_denied_order_with_the_admin_denied_hresult()
        {
            Ces();
            var (pending, _) = Submit("ces", "WebServerApproval", "deny.contoso.com");
            var sink = new RecordingSink();
            new OrderOperations(_workspace, sink).Deny(new[] { pending! });
            sink.Errors.Should().BeEmpty("a denial is an answer, not a failure");
            var denied = _workspace.Store.GetOrder(pending!.Id)!;
            denied.Status.Should().Be(SubmitStatus.Denied);
            unchecked((uint)denied.HResult).Should().Be(0x80094014);

            // Polling it again keeps it denied (the fault on QueryTokenStatus is decoded, not thrown).
            new OrderOperations(_workspace, new RecordingSink()).Refresh(new[] { denied });
            _workspace.Store.GetOrder(pending.Id)!.Status.Should().Be(SubmitStatus.Denied);
        }

        [Fact]
        public void A_ces_fault_for_a_template_the_ca_does_not_issue_is_decoded_to_its_hresult()
        {
            var definition = Ces();
            var result = _workspace.Connect(definition).Submit(LabFixture.NewCsr("x.contoso.com"), "NoSuchTemplate", new Dictionary<string, string>(), default);
            result.Status.Should().Be(SubmitStatus.Denied, "the CA answered no: the same as Web Enrollment reports it");
            unchecked((uint)result.HResult).Should().Be(0x80094800);
            result.DispositionMessage.Should().Contain("not supported");
        }

        [Fact]
        public async Task Submit_fails_over_to_the_next_service_of_the_domain_when_the_first_is_stopped()
        {
            var first = await _lab.StartAsync();
            var second = await _lab.StartAsync();
            try
            {
                LabFixture.AddConnector(_workspace, "ces-a", "adcs-ces", _lab.Settings(first, ("caName", _lab.Authority.CaName)), LabFixture.Secret(), "contoso.com", priority: 1);
                LabFixture.AddConnector(_workspace, "ces-b", "adcs-ces", _lab.Settings(second, ("caName", _lab.Authority.CaName)), LabFixture.Secret(), "contoso.com", priority: 2);
                await first.StopAsync();

                // Naming the domain picks the lowest priority number first, then fails over.
                var (order, sink) = Submit("contoso.com", "WebServer", "failover.contoso.com");
                sink.Errors.Should().BeEmpty();
                order!.Status.Should().Be(SubmitStatus.Issued);
                order.Connector.Should().Be("ces-b");
                sink.Warnings.Should().ContainSingle(w => w.Contains("'ces-a'") && w.Contains("could not be reached") && w.Contains("'ces-b'"));
                second.RequestCount.Should().BeGreaterThan(0);
            }
            finally
            {
                await first.DisposeAsync();
                await second.DisposeAsync();
            }
        }

        [Fact]
        public void A_denial_does_not_fail_over()
        {
            // ces-b would fail loudly (wrong password) if it were ever asked.
            LabFixture.AddConnector(_workspace, "ces-a", "adcs-ces", _lab.Settings(_lab.Server, ("caName", _lab.Authority.CaName)), LabFixture.Secret(), "fabrikam.com", priority: 1);
            LabFixture.AddConnector(_workspace, "ces-b", "adcs-ces", _lab.Settings(_lab.Server, ("caName", _lab.Authority.CaName)), LabFixture.Secret("wrong"), "fabrikam.com", priority: 2);
            var (pending, _) = Submit("ces-a", "WebServerApproval", "denied.fabrikam.com");
            new OrderOperations(_workspace, new RecordingSink()).Deny(new[] { pending! });

            var sink = new RecordingSink();
            var (result, used) = ServiceFailover.Run(_workspace, sink, _workspace.RequireConnector("ces-a"), sameCaOnly: true,
                c => c.GetRequest(pending!.RequestId!, pending.ReferenceUri, default));
            used.Name.Should().Be("ces-a");
            result.Status.Should().Be(SubmitStatus.Denied);
            unchecked((uint)result.HResult).Should().Be(0x80094014);
            sink.Warnings.Should().BeEmpty();
        }

        [Fact]
        public async Task A_slow_service_times_out_with_a_message_naming_the_setting_to_raise()
        {
            var slow = await _lab.StartAsync(delay: TimeSpan.FromSeconds(4));
            try
            {
                var definition = LabFixture.AddConnector(_workspace, "slow", "adcs-ces",
                    _lab.Settings(slow, ("caName", _lab.Authority.CaName), ("timeoutSeconds", "1")), LabFixture.Secret());
                var watch = Stopwatch.StartNew();
                var act = () => _workspace.Connect(definition).GetTemplates(default);
                var error = act.Should().Throw<ServiceUnavailableException>().Which;
                watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3.5));
                error.ErrorId.Should().Be("ServiceTimeout");
                error.Message.Should().Contain("timeoutSeconds");
            }
            finally
            {
                await slow.DisposeAsync();
            }
        }

        [Fact]
        public void A_wrong_password_is_an_authentication_error_for_ces_and_web_enrollment()
        {
            var ces = LabFixture.AddConnector(_workspace, "ces-bad", "adcs-ces", _lab.Settings(_lab.Server, ("caName", _lab.Authority.CaName)), LabFixture.Secret("not-it"));
            var web = LabFixture.AddConnector(_workspace, "web-bad", "adcs-web", _lab.Settings(_lab.Server), LabFixture.Secret("not-it"));
            foreach (var definition in new[] { ces, web })
            {
                var act = () => _workspace.Connect(definition).Test(default);
                var error = act.Should().Throw<PscException>().Which;
                error.ErrorId.Should().Be("AuthenticationFailed", definition.Type);
                error.Message.Should().Contain("password").And.NotContain("not-it");
            }
        }

        [Fact]
        public void An_untrusted_server_certificate_is_refused_with_how_to_trust_it_and_a_pin_is_honoured()
        {
            var settings = _lab.Settings(_lab.Server, ("caName", _lab.Authority.CaName));
            settings.Remove("caBundle");
            var untrusted = LabFixture.AddConnector(_workspace, "untrusted", "adcs-ces", settings, LabFixture.Secret());
            var act = () => _workspace.Connect(untrusted).Test(default);
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("ServerCertificateUntrusted");
            error.Message.Should().Contain("caBundle").And.Contain("pinnedThumbprint");

            settings["pinnedThumbprint"] = _lab.Authority.TlsCertificate.Thumbprint;
            var pinned = LabFixture.AddConnector(_workspace, "pinned", "adcs-ces", settings, LabFixture.Secret());
            _workspace.Connect(pinned).Test(default).Success.Should().BeTrue();
        }

        [Fact]
        public void Ces_enrolls_with_a_tls_client_certificate_instead_of_a_password()
        {
            var pfx = _lab.IssueClientPfx(_home.File("client.pfx"), "svc-enroll", "pfx-pass");
            var settings = _lab.Settings(_lab.Server, ("caName", _lab.Authority.CaName), ("authentication", "Certificate"), ("clientCertificate", pfx));
            settings.Remove("user");
            LabFixture.AddConnector(_workspace, "ces-cert", "adcs-ces", settings, LabFixture.Secret("pfx-pass"));

            var (order, sink) = Submit("ces-cert", "WebServer", "cert-auth.contoso.com");
            sink.Errors.Should().BeEmpty();
            order!.Status.Should().Be(SubmitStatus.Issued);
        }

        [Fact]
        public void Web_enrollment_issues_holds_for_approval_fetches_after_approval_and_reports_denials()
        {
            Web();
            var (issued, sink) = Submit("web", "WebServer", "web-now.contoso.com");
            sink.Errors.Should().BeEmpty();
            issued!.Status.Should().Be(SubmitStatus.Issued);
            Verify(issued.Certificate!).Should().Contain("OK");

            var (pending, _) = Submit("web", "WebServerApproval", "web-later.contoso.com");
            pending!.Status.Should().Be(SubmitStatus.Pending);
            // Polling before approval reads certnew.cer's "not available" page: still pending, not an error.
            var poll = new RecordingSink();
            new OrderOperations(_workspace, poll).Refresh(new[] { pending });
            poll.Errors.Should().BeEmpty();
            poll.Single<OrderRecord>().Status.Should().Be(SubmitStatus.Pending);
            poll.Single<OrderRecord>().DispositionMessage.Should().Be("Taken Under Submission");
            new OrderOperations(_workspace, new RecordingSink()).Approve(new[] { pending });
            var fetch = new RecordingSink();
            new OrderOperations(_workspace, fetch).Fetch(new[] { pending });
            fetch.Errors.Should().BeEmpty();
            fetch.Single<CertificateRecord>().CommonName.Should().Be("web-later.contoso.com");

            var (denied, deniedSink) = Submit("web", "Bogus", "web-no.contoso.com");
            deniedSink.Errors.Should().BeEmpty();
            denied!.Status.Should().Be(SubmitStatus.Denied);
            unchecked((uint)denied.HResult).Should().Be(0x80094800);
            deniedSink.Warnings.Should().ContainSingle(w => w.Contains("CERTSRV_E_UNSUPPORTED_CERT_TYPE"));
        }

        [Fact]
        public void Web_enrollment_returns_the_ca_certificate_and_chain()
        {
            var definition = Web();
            var cas = _workspace.Connect(definition).GetCaCertificates(default);
            cas.Issuing.RawData.Should().Equal(_lab.Authority.Ca.IssuingCertificate);
            cas.Chain.Select(c => c.RawData).Should().ContainSingle().Which.Should().Equal(_lab.Authority.Ca.RootCertificate);
        }

        [Fact]
        public void Ces_cannot_revoke_and_says_which_transport_can()
        {
            var definition = Ces();
            var act = () => _workspace.Connect(definition).Revoke("01", RevocationReason.KeyCompromise, null, default);
            act.Should().Throw<CapabilityNotSupportedException>().Which.Message.Should().Contain("adcs-dcom");
        }

        [Fact]
        public void Connector_settings_are_checked_when_the_connector_is_added()
        {
            var sink = new RecordingSink();
            var operations = new ConnectorOperations(_workspace, sink);
            operations.Add(new ConnectorDefinition { Name = "no-host", Type = "adcs-web", Settings = new Dictionary<string, string> { ["user"] = "u" } }, LabFixture.Secret());
            operations.Add(new ConnectorDefinition { Name = "bad-port", Type = "adcs-ces", Settings = new Dictionary<string, string> { ["host"] = "h", ["port"] = "99999", ["user"] = "u" } }, LabFixture.Secret());
            operations.Add(new ConnectorDefinition { Name = "no-secret", Type = "adcs-ces", Settings = new Dictionary<string, string> { ["host"] = "h", ["user"] = "u" } }, null);
            sink.Errors.Select(e => e.ErrorId).Should().Equal("SettingRequired", "InvalidSetting", "SecretRequired");
            sink.Errors[1].Message.Should().Contain("port").And.Contain("1 to 65535");
            _workspace.Store.ListConnectors().Should().BeEmpty("no half-made connector is left behind");
        }
    }
}
