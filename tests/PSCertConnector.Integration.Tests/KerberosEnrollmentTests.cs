using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// CES and /certsrv with HTTP Negotiate: a Kerberos ticket from the Samba KDC (kinit, or obtained with the
    /// connector's password) presented to the Lab server, which checks it with its HTTP/localhost keytab.
    /// </summary>
    [Collection(SambaCollection.Name)]
    public sealed class KerberosEnrollmentTests : IDisposable
    {
        private readonly SambaDcFixture _dc;
        private readonly TempHome _home = new();
        private readonly Workspace _workspace;

        public KerberosEnrollmentTests(SambaDcFixture dc)
        {
            _dc = dc;
            _workspace = Workspace.Open(_home.Path);
        }

        public void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        private ConnectorDefinition Add(string name, string type, string? user = null, string? password = null)
        {
            var settings = new Dictionary<string, string>
            {
                ["host"] = "localhost",
                ["port"] = _dc.Lab.BaseUri.Port.ToString(),
                ["caBundle"] = _dc.Authority.BundlePath,
                ["authentication"] = "Kerberos",
            };
            if (type == "adcs-ces") settings["caName"] = _dc.Authority.CaName;
            if (user != null) settings["user"] = user;
            return LabFixture.AddConnector(_workspace, name, type, settings, password == null ? null : LabFixture.Secret(password));
        }

        private (OrderRecord? Order, RecordingSink Sink) Submit(string connector, string template, string commonName)
        {
            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit(connector, template, LabFixture.NewCsr(commonName));
            return (order, sink);
        }

        [SambaFact]
        public void Ces_enrolls_with_the_ticket_from_kinit()
        {
            Add("ces-krb", "adcs-ces");
            new TemplateOperations(_workspace, new RecordingSink()).Get("ces-krb", refresh: true);
            var (order, sink) = Submit("ces-krb", "WebServer", "kerberos-ces.psc.test");
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Issued);
        }

        [SambaFact]
        public void Web_enrollment_enrolls_with_the_ticket_and_a_pending_request_is_fetched_after_approval()
        {
            Add("web-krb", "adcs-web");
            var (issued, sink) = Submit("web-krb", "WebServer", "kerberos-web.psc.test");
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            issued!.Status.Should().Be(SubmitStatus.Issued);

            var (pending, _) = Submit("web-krb", "WebServerApproval", "kerberos-wait.psc.test");
            pending!.Status.Should().Be(SubmitStatus.Pending);
            _dc.Authority.Ca.Approve(long.Parse(pending.RequestId!)); // the CA manager approves on the CA
            var refreshed = new RecordingSink();
            new OrderOperations(_workspace, refreshed).Refresh(new[] { _workspace.Store.GetOrder(pending.Id)! });
            _workspace.Store.GetOrder(pending.Id)!.Status.Should().Be(SubmitStatus.Issued, string.Join("; ", refreshed.Errors.Select(e => e.Message)));
        }

        [SambaFact]
        public void Ces_obtains_a_ticket_with_the_connectors_password_and_a_wrong_password_fails_clearly()
        {
            Add("ces-pw", "adcs-ces", SambaDcFixture.User + "@" + SambaDcFixture.Realm, _dc.UserPassword);
            var (order, sink) = _dc.WithoutTicket(() => Submit("ces-pw", "WebServer", "kerberos-password.psc.test"));
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Issued);

            var bad = Add("ces-bad", "adcs-ces", SambaDcFixture.User + "@" + SambaDcFixture.Realm, "Wrong-Pa55word!");
            var error = _dc.WithoutTicket(() => FluentActions.Invoking(() => _workspace.Connect(bad).GetTemplates(default)).Should().Throw<PscException>().Which);
            error.ErrorId.Should().Be("AuthenticationFailed", error.Message);
            error.Message.Should().Contain("enroller@PSC.TEST").And.NotContain("Wrong-Pa55word!");
        }

        [SambaFact]
        public void Without_a_ticket_enrollment_says_how_to_get_one()
        {
            var definition = Add("ces-noticket", "adcs-ces");
            var error = _dc.WithoutTicket(() => FluentActions.Invoking(() => _workspace.Connect(definition).GetTemplates(default)).Should().Throw<PscException>().Which);
            error.ErrorId.Should().Be("KerberosTicketMissing", error.Message);
            error.Message.Should().Contain("kinit").And.Contain("keytab").And.Contain("user and password");
        }

        [NtlmFact]
        public void Ntlm_carries_an_account_kerberos_does_not_know_where_gss_ntlmssp_provides_it()
        {
            Add("web-ntlm", "adcs-web", SambaDcFixture.NtlmDomain + "\\" + SambaDcFixture.NtlmUser, _dc.NtlmPassword);
            var (order, sink) = _dc.WithNtlmOnly(() => Submit("web-ntlm", "WebServer", "ntlm.psc.test"));
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Issued);

            Add("web-ntlm-bad", "adcs-web", SambaDcFixture.NtlmDomain + "\\" + SambaDcFixture.NtlmUser, "Wrong-Ntlm-1");
            var (_, refused) = _dc.WithNtlmOnly(() => Submit("web-ntlm-bad", "WebServer", "ntlm-bad.psc.test"));
            refused.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("AuthenticationFailed", "the NTLM password is what let the first one in");
        }
    }
}
