using System.Net;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Connectors;
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
    }
}
