using System.Net;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Operations;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>Discovery over LDAP against a real Samba AD DC, bound with a Kerberos ticket or a password over LDAPS.</summary>
    [Collection(SambaCollection.Name)]
    public sealed class ActiveDirectoryTests
    {
        private const string LabCa = "PSCertConnector Lab CA";
        private readonly SambaDcFixture _dc;

        public ActiveDirectoryTests(SambaDcFixture dc) => _dc = dc;

        private static DirectoryOptions Kerberos => new() { Server = "localhost" };

        [SambaFact]
        public void Discovery_with_the_kerberos_ticket_returns_exactly_what_was_seeded()
        {
            var found = AdcsDirectory.Discover(Kerberos);

            found.Forest.Should().Be(SambaDcFixture.Forest);
            found.EnrollmentServices.Select(s => s.Name).Should().Equal("Broken Endpoints CA", LabCa);
            var lab = found.EnrollmentServices.Single(s => s.Name == LabCa);
            lab.DnsHostName.Should().Be("localhost");
            lab.Config.Should().Be("localhost\\" + LabCa);
            lab.CaCertificate.Should().Equal(_dc.Authority.Ca.IssuingCertificate);
            lab.Templates.Should().Equal("WebServer", "WebServerApproval", "User");
            var port = _dc.Lab.BaseUri.Port;
            lab.Endpoints.Select(e => (e.Priority, e.Authentication, e.RenewalOnly, e.Uri)).Should().Equal(
                (1, "Kerberos", false, $"https://localhost:{port}/PSCertConnector%20Lab%20CA_CES_Kerberos/service.svc/CES"),
                (2, "UsernamePassword", false, $"https://localhost:{port}/PSCertConnector%20Lab%20CA_CES_UsernamePassword/service.svc/CES"),
                (3, "Certificate", true, $"https://localhost:{port}/PSCertConnector%20Lab%20CA_CES_Certificate/service.svc/CES"));
            found.EnrollmentServices.Single(s => s.Name == "Broken Endpoints CA").Endpoints.Should().ContainSingle()
                .Which.Priority.Should().Be(5, "only the well-formed value of four survives");

            found.Templates.Select(t => t.Name).Should().Equal("User", "WebServer", "WebServerApproval");
            var web = found.Templates.Single(t => t.Name == "WebServer");
            web.DisplayName.Should().Be("Web Server");
            web.Oid.Should().Be("1.3.6.1.4.1.311.21.8.7215849.4151207.13418264.1572832.8839716.150.1");
            (web.SchemaVersion, web.MajorRevision, web.MinorRevision).Should().Be((1, 4, 1));
            web.Validity.Should().Be(TimeSpan.FromDays(730));
            web.RenewalPeriod.Should().Be(TimeSpan.FromDays(42));
            web.RequiresApproval.Should().BeFalse();
            web.SubjectFromRequest.Should().BeTrue();
            web.ExtendedKeyUsages.Should().Equal("1.3.6.1.5.5.7.3.1");
            web.KeyUsage.Should().Be(0xa0);
            web.GeneralFlags.Should().Be(66113);
            var approval = found.Templates.Single(t => t.Name == "WebServerApproval");
            approval.RequiresApproval.Should().BeTrue("msPKI-Enrollment-Flag 0x2 is CA manager approval");
            (approval.SchemaVersion, approval.MajorRevision, approval.MinorRevision, approval.MinimumKeySize).Should().Be((2, 100, 3, 3072));
            approval.RenewalPeriod.Should().Be(TimeSpan.FromDays(14));
            var user = found.Templates.Single(t => t.Name == "User");
            user.Validity.Should().Be(TimeSpan.FromDays(365));
            user.SubjectFromRequest.Should().BeFalse();
            user.SubjectNameFlags.Should().Be(-1509949440);
            user.ExtendedKeyUsages.Should().Equal("1.3.6.1.4.1.311.10.3.4", "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.2");

            found.Warnings.Should().HaveCount(7, string.Join("\n", found.Warnings));
            found.Warnings.Should().ContainSingle(w => w.Contains("'Orphan CA'") && w.Contains("no dNSHostName and no cACertificate"));
            found.Warnings.Should().ContainSingle(w => w.Contains("'Garbled Certificate CA'") && w.Contains("not a certificate"));
            found.Warnings.Should().ContainSingle(w => w.Contains("'ShortPeriod'") && w.Contains("pKIExpirationPeriod is 3 byte(s) where 8 are expected"));
            found.Warnings.Should().ContainSingle(w => w.Contains("'NoOid'") && w.Contains("no msPKI-Cert-Template-OID"));
            found.Warnings.Where(w => w.Contains("CES endpoint of 'Broken Endpoints CA'")).Should().HaveCount(3);
        }

        [SambaFact]
        public void A_password_binds_over_ldaps_and_a_wrong_one_is_refused_without_showing_it()
        {
            var credential = new NetworkCredential(SambaDcFixture.User + "@" + SambaDcFixture.Forest, _dc.UserPassword);
            var found = AdcsDirectory.Discover(new DirectoryOptions { Server = "127.0.0.1", UseLdaps = true, Credential = credential });
            found.EnrollmentServices.Should().HaveCount(2);

            var wrong = () => AdcsDirectory.Discover(new DirectoryOptions { Server = "127.0.0.1", UseLdaps = true, Credential = new NetworkCredential(credential.UserName, "Not-The-Pa55") });
            var error = wrong.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("DirectoryAuthenticationFailed");
            error.Message.Should().NotContain("Not-The-Pa55");

            var plain = () => AdcsDirectory.Discover(new DirectoryOptions { Server = "127.0.0.1", Credential = credential });
            plain.Should().Throw<PscException>().Which.ErrorId.Should().Be("LdapsRequired", "a password is never sent in a plain LDAP bind");
        }

        [SambaFact]
        public void Without_a_ticket_the_error_says_how_to_get_one()
        {
            var error = _dc.WithoutTicket(() => FluentActions.Invoking(() => AdcsDirectory.Discover(Kerberos)).Should().Throw<PscException>().Which);
            error.ErrorId.Should().Be("KerberosTicketMissing", error.Message);
            error.Message.Should().Contain("kinit").And.Contain("keytab").And.Contain("credential");
        }

        [SambaFact]
        public void An_unreachable_directory_is_named_with_its_port()
        {
            var act = () => AdcsDirectory.Discover(new DirectoryOptions { Server = "127.0.0.1", Port = 1, Timeout = TimeSpan.FromSeconds(5) });
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("DirectoryUnreachable", error.Message);
            error.Message.Should().Contain("127.0.0.1:1");
        }

        [SambaFact]
        public void Discovered_ces_endpoints_become_connectors_with_ads_priorities_and_templates_and_enroll()
        {
            using var home = new TempHome();
            using var workspace = Workspace.Open(home.Path);
            var create = new DiscoveredConnectorOptions
            {
                CaName = LabCa,
                Settings = new Dictionary<string, string> { ["caBundle"] = _dc.Authority.BundlePath, ["user"] = LabFixture.User },
                Secret = LabFixture.Secret(),
            };
            var preview = new RecordingSink(shouldProcess: false);
            new DiscoveryOperations(workspace, preview).CreateConnectors(Kerberos, create);
            workspace.Store.ListConnectors().Should().BeEmpty("-WhatIf creates nothing");

            var sink = new RecordingSink();
            new DiscoveryOperations(workspace, sink).CreateConnectors(Kerberos, create);
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            var made = workspace.Store.ListConnectors().OrderBy(c => c.Priority).ToList();
            made.Select(c => (c.Name, c.Type, c.Domain, c.Priority)).Should().Equal(
                ("PSCertConnector-Lab-CA-kerberos-1", "adcs-ces", SambaDcFixture.Forest, 1),
                ("PSCertConnector-Lab-CA-usernamepassword-2", "adcs-ces", SambaDcFixture.Forest, 2));
            made[0].Settings.Should().NotContainKey("user", "Kerberos endpoints enroll as the current identity");
            made[1].Settings["user"].Should().Be(LabFixture.User);
            sink.Verbose.Should().Contain(v => v.Contains("only renews"), "the renewal-only Certificate endpoint gets no connector");

            var cached = workspace.Store.GetTemplates(made[0]);
            cached.Select(t => t.Name).Should().BeEquivalentTo(new[] { "WebServer", "WebServerApproval", "User" });
            cached.Single(t => t.Name == "WebServerApproval").RequiresApproval.Should().BeTrue();
            workspace.Store.GetEnrollmentServices(made[0]).Should().HaveCount(3);

            // Enrolling through the forest's domain starts with AD's priority 1: the Kerberos endpoint, with the kinit ticket.
            var enroll = new RecordingSink();
            var order = new OrderOperations(workspace, enroll).Submit(SambaDcFixture.Forest, "WebServer", LabFixture.NewCsr("discovered.psc.test"));
            enroll.Errors.Should().BeEmpty(string.Join("; ", enroll.Errors.Select(e => e.Message)));
            order!.Status.Should().Be(SubmitStatus.Issued);
            order.Connector.Should().Be("PSCertConnector-Lab-CA-kerberos-1");
            var byPassword = new OrderOperations(workspace, enroll).Submit("PSCertConnector-Lab-CA-usernamepassword-2", "WebServer", LabFixture.NewCsr("discovered-pw.psc.test"));
            byPassword!.Status.Should().Be(SubmitStatus.Issued);

            var again = new RecordingSink();
            new DiscoveryOperations(workspace, again).CreateConnectors(Kerberos, create);
            again.Errors.Select(e => e.ErrorId).Should().Equal("ConnectorExists", "ConnectorExists");
        }

        [SambaFact]
        public void Find_lists_each_enterprise_ca_and_warns_about_each_skipped_object()
        {
            using var home = new TempHome();
            using var workspace = Workspace.Open(home.Path);
            var sink = new RecordingSink();
            new DiscoveryOperations(workspace, sink).Find(Kerberos);
            sink.Objects.OfType<AdEnrollmentService>().Select(s => s.Name).Should().Equal("Broken Endpoints CA", LabCa);
            sink.Warnings.Should().HaveCount(7);
            sink.Errors.Should().BeEmpty();
        }

        [SambaFact]
        public void The_cli_lists_the_forests_cas_and_creates_connectors_from_them()
        {
            using var home = new TempHome();
            (int Exit, string Out, string Err) Cli(params string[] args)
            {
                var stdout = new StringWriter();
                var stderr = new StringWriter();
                var exit = PSCertConnector.Cli.Program.Run(args.Concat(new[] { "--home", home.Path }).ToArray(), stdout, stderr, interactiveInput: null);
                return (exit, stdout.ToString(), stderr.ToString());
            }

            var listed = Cli("adcs", "discover", "--server", "localhost", "--json");
            listed.Exit.Should().Be(0, listed.Err);
            var cas = System.Text.Json.JsonDocument.Parse(listed.Out).RootElement;
            cas.EnumerateArray().Select(c => c.GetProperty("name").GetString()).Should().Equal("Broken Endpoints CA", LabCa);
            cas[1].GetProperty("endpoints")[0].GetProperty("authentication").GetString().Should().Be("Kerberos");
            listed.Err.Should().Contain("Orphan CA", "skipped objects are warnings on stderr");

            var templates = Cli("adcs", "discover", "--server", "localhost", "--templates", "--ca", LabCa);
            templates.Out.Should().Contain("WebServerApproval").And.Contain("manager").And.NotContain("ShortPeriod");

            Environment.SetEnvironmentVariable("PSC_TEST_LAB_PASSWORD", LabFixture.Password);
            var made = Cli("connector", "add", "--discover", "--server", "localhost", "--ca", LabCa, "--setting", $"caBundle={_dc.Authority.BundlePath}",
                "--setting", $"user={LabFixture.User}", "--secret-env", "PSC_TEST_LAB_PASSWORD");
            made.Exit.Should().Be(0, made.Err);
            made.Out.Should().Contain("PSCertConnector-Lab-CA-kerberos-1").And.Contain("PSCertConnector-Lab-CA-usernamepassword-2");
            Cli("template", "list", "PSCertConnector-Lab-CA-kerberos-1").Out.Should().Contain("WebServerApproval", "the template cache was filled from AD");

            var password = Cli("adcs", "discover", "--server", "127.0.0.1", "--bind-user", "enroller@psc.test", "--bind-password-env", "PSC_TEST_LAB_PASSWORD");
            password.Exit.Should().Be(1, "a password bind is refused without LDAPS");
            password.Err.Should().Contain("LdapsRequired");

            var noKeytab = Cli("lab", "serve", "--keytab", "/no/such.keytab", "--password-env", "PSC_TEST_LAB_PASSWORD");
            noKeytab.Exit.Should().Be(2);
            noKeytab.Err.Should().Contain("/no/such.keytab");
        }
    }
}
