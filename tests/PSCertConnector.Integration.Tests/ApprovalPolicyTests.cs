using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// Automatic approval and the approval checks, each rule on the embedded CA and on the Lab (CES over HTTPS, decided
    /// on the Lab's CA): a request that passes is approved by itself; one that trips a rule waits, shows the finding, is
    /// refused by hand without Force and approved with it, logged.
    /// </summary>
    public sealed class ApprovalPolicyTests : IClassFixture<LabFixture>, IDisposable
    {
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();
        private readonly Workspace _workspace;

        public ApprovalPolicyTests(LabFixture lab)
        {
            _lab = lab;
            _workspace = Workspace.Open(_home.Path, lab.Registry);
        }

        public void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        public static IEnumerable<object[]> Cas => new[] { new object[] { "embedded" }, new object[] { "lab" } };

        /// <summary>A connector to the embedded CA, or to the Lab's CES whose decisions are taken on the Lab's CA.</summary>
        private string Connector(string ca, params (string Key, string Value)[] policy)
        {
            var settings = ca == "embedded" ? new Dictionary<string, string>() : _lab.Settings(_lab.Server, ("caName", _lab.Authority.CaName));
            foreach (var (key, value) in policy) settings[key] = value;
            LabFixture.AddConnector(_workspace, ca, ca == "embedded" ? "local" : "adcs-ces", settings, ca == "embedded" ? null : LabFixture.Secret(), domain: "contoso.com");
            return ca;
        }

        private static byte[] Csr(string subject, int rsaBits = 2048, params SubjectAlternativeName[] sans)
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, rsaBits);
            return CsrBuilder.Build(new RequestSpec { Subject = subject, SubjectAlternativeNames = sans, KeyAlgorithm = KeyAlgorithm.Rsa, KeyLength = rsaBits }, key);
        }

        private (OrderRecord Order, RecordingSink Sink) Submit(string connector, string template, byte[] csr)
        {
            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit(connector, template, csr);
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            return (sink.Single<OrderRecord>(), sink);
        }

        private IReadOnlyList<int> EventIdsWritten() =>
            _workspace.Events.Read(new EventQuery(), out _).Select(e => e.Id).ToList();

        [Theory, MemberData(nameof(Cas))]
        public void A_request_that_passes_the_checks_is_approved_by_itself_and_a_template_not_named_waits(string ca)
        {
            var name = Connector(ca, (ApprovalPolicy.AutoApproveSetting, "WebServerApproval"));
            var (issued, _) = Submit(name, "WebServerApproval", Csr("CN=web.contoso.com", sans: new SubjectAlternativeName(SanType.Dns, "api.contoso.com")));
            issued.Status.Should().Be(SubmitStatus.Issued, "WebServerApproval is auto-approved and the request is inside contoso.com");
            var pem = _home.File("auto.pem");
            File.WriteAllText(pem, Pem.Encode("CERTIFICATE", issued.Certificate!));
            OpenSsl.Ok($"verify -CAfile \"{(ca == "embedded" ? CaBundle(name) : _lab.Authority.BundlePath)}\" \"{pem}\"");
            EventIdsWritten().Should().Contain(EventIds.RequestAutoApproved);

            var (waiting, _) = Submit(name, "ClientAuthApproval", Csr("CN=svc.contoso.com"));
            waiting.Status.Should().Be(SubmitStatus.Pending, "ClientAuthApproval is not in autoApprove");
        }

        [Theory, MemberData(nameof(Cas))]
        public void Names_outside_the_allowed_domains_are_never_auto_approved_and_take_force_by_hand(string ca)
        {
            var name = Connector(ca, (ApprovalPolicy.AutoApproveSetting, "WebServerApproval"), (ApprovalPolicy.AllowedDomainsSetting + ":WebServerApproval", "contoso.com, contoso.net"));
            var (order, submitted) = Submit(name, "WebServerApproval", Csr("CN=shop.contoso.net", sans: new SubjectAlternativeName(SanType.Dns, "login.fabrikam.com")));
            order.Status.Should().Be(SubmitStatus.Pending);
            order.ApprovalFindings.Should().ContainSingle().Which.Rule.Should().Be("NameOutsideAllowedDomains");
            order.ApprovalFindings[0].Message.Should().Contain("'login.fabrikam.com'").And.NotContain("'shop.contoso.net'");
            submitted.Warnings.Should().Contain(w => w.Contains("was not approved automatically") && w.Contains("NameOutsideAllowedDomains"));
            EventIdsWritten().Should().Contain(EventIds.AutoApprovalWithheld);
            RefusedThenForced(order);
        }

        [Theory, MemberData(nameof(Cas))]
        public void A_client_authentication_template_with_the_subject_from_the_request_is_esc1(string ca)
        {
            var name = Connector(ca, (ApprovalPolicy.AutoApproveSetting, "ClientAuthApproval"));
            var (order, _) = Submit(name, "ClientAuthApproval", Csr("CN=Administrator", sans: new SubjectAlternativeName(SanType.Upn, "administrator@contoso.com")));
            order.Status.Should().Be(SubmitStatus.Pending);
            var finding = order.ApprovalFindings.Should().ContainSingle().Which;
            finding.Rule.Should().Be("EnrolleeSuppliedSubject");
            finding.Message.Should().Contain("Client Authentication").And.Contain("administrator@contoso.com").And.Contain("ESC1");
            RefusedThenForced(order);
        }

        [Theory, MemberData(nameof(Cas))]
        public void An_any_purpose_template_is_esc2(string ca)
        {
            var name = Connector(ca, (ApprovalPolicy.AutoApproveSetting, "AnyPurposeApproval"));
            var (order, _) = Submit(name, "AnyPurposeApproval", Csr("CN=tool.contoso.com"));
            order.Status.Should().Be(SubmitStatus.Pending);
            order.ApprovalFindings.Select(f => f.Rule).Should().Contain("AnyPurposeEku", "any purpose includes client sign-in, so ESC1 is found as well")
                .And.Contain("EnrolleeSuppliedSubject");
            RefusedThenForced(order);
        }

        [Theory, MemberData(nameof(Cas))]
        public void A_key_below_the_policy_minimum_is_weak(string ca)
        {
            var name = Connector(ca, (ApprovalPolicy.AutoApproveSetting, "WebServerApproval"), (ApprovalPolicy.MinimumKeySizeSetting, "3072"));
            var (order, _) = Submit(name, "WebServerApproval", Csr("CN=old.contoso.com", rsaBits: 2048));
            order.Status.Should().Be(SubmitStatus.Pending);
            order.ApprovalFindings.Should().ContainSingle().Which.Message.Should().Contain("2048-bit RSA").And.Contain("3072-bit minimum");
            RefusedThenForced(order);
        }

        [Theory, MemberData(nameof(Cas))]
        public void A_san_sent_as_a_request_attribute_is_esc6_and_never_auto_approved(string ca)
        {
            var name = Connector(ca, (ApprovalPolicy.AutoApproveSetting, "WebServerApproval"));
            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit(name, "WebServerApproval", Csr("CN=web2.contoso.com"),
                new Dictionary<string, string> { ["SAN"] = "upn=administrator@contoso.com" });
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Pending, "a CA with EDITF_ATTRIBUTESUBJECTALTNAME2 would put that UPN into the certificate");
            sink.Warnings.Should().Contain(w => w.Contains("SanInAttributes") && w.Contains("ESC6") && w.Contains("administrator@contoso.com"));
            EventIdsWritten().Should().Contain(EventIds.AutoApprovalWithheld);
        }

        [Theory, MemberData(nameof(Cas))]
        public void A_template_named_later_is_approved_when_its_pending_orders_are_refreshed_by_the_maintenance_pass(string ca)
        {
            var name = Connector(ca);
            new ConnectorOperations(_workspace, new RecordingSink()).Update(name, new ConnectorChanges { ImportEnabled = ca == "embedded" }, null); // CES cannot import
            var (order, _) = Submit(name, "WebServerApproval", Csr("CN=later.contoso.com"));
            order.Status.Should().Be(SubmitStatus.Pending);
            order.ApprovalFindings.Should().BeEmpty("the request passes the checks; it waits only because no template is auto-approved");
            new ConnectorOperations(_workspace, new RecordingSink()).Update(name, new ConnectorChanges
            {
                Settings = new Dictionary<string, string> { [ApprovalPolicy.AutoApproveSetting] = "WebServerApproval" },
            }, null);
            var pass = new RecordingSink();
            new MaintenanceOperation(_workspace, pass).RunOnce(new MaintenanceOptions());
            pass.Errors.Should().BeEmpty(string.Join("; ", pass.Errors.Select(e => e.Message)));
            _workspace.Store.GetOrder(order.Id)!.Status.Should().Be(SubmitStatus.Issued);
        }

        [Fact]
        public void Pending_orders_of_a_removed_connector_are_still_listed()
        {
            var name = Connector("embedded", (ApprovalPolicy.AllowedDomainsSetting, "contoso.com"));
            Submit(name, "WebServerApproval", Csr("CN=orphan.fabrikam.com")).Order.ApprovalFindings.Should().ContainSingle();
            new ConnectorOperations(_workspace, new RecordingSink()).Remove(new[] { name });
            var list = new RecordingSink();
            new OrderOperations(_workspace, list).List(new OrderQuery(), refresh: false);
            list.Errors.Should().BeEmpty();
            list.Single<OrderRecord>().ApprovalFindings.Should().BeEmpty("with its connector gone there is no policy to check against");
        }

        /// <summary>By hand: without Force the approval is refused with the findings; with it the request is issued and the override logged.</summary>
        private void RefusedThenForced(OrderRecord order)
        {
            var refused = new RecordingSink();
            new OrderOperations(_workspace, refused).Approve(new[] { order });
            refused.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("ApprovalChecksFailed");
            refused.Errors[0].Message.Should().Contain($"'certconnector order approve {order.Id} --force'");
            _workspace.Store.GetOrder(order.Id)!.Status.Should().Be(SubmitStatus.Pending);

            var forced = new RecordingSink();
            new OrderOperations(_workspace, forced).Approve(new[] { order }, overFindings: true);
            forced.Errors.Should().BeEmpty(string.Join("; ", forced.Errors.Select(e => e.Message)));
            forced.Single<OrderRecord>().Status.Should().Be(SubmitStatus.Issued);
            forced.Warnings.Should().Contain(w => w.Contains("approved by hand over the approval checks"));
            EventIdsWritten().Should().Contain(EventIds.RequestApprovedOverFindings);
        }

        private string CaBundle(string connector)
        {
            var path = _home.File(connector + "-ca.pem");
            var cas = _workspace.Connect(connector).GetCaCertificates(default);
            File.WriteAllText(path, string.Concat(cas.Chain.Prepend(cas.Issuing).Select(c => Pem.Encode("CERTIFICATE", c.RawData))));
            return path;
        }
    }
}
