using System.Text;
using FluentAssertions;
using PSCertConnector.Core.ActiveDirectory;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>AD CS directory objects read from raw attribute values: the malformed ones a real forest can hold.</summary>
    public sealed class AdcsDirectoryReaderTests
    {
        private static DirectoryObject Entry(string dn, params (string Name, object Value)[] attributes) =>
            new(dn, attributes.GroupBy(a => a.Name).Select(g => new KeyValuePair<string, IReadOnlyList<byte[]>>(g.Key,
                g.Select(a => a.Value as byte[] ?? Encoding.UTF8.GetBytes((string)a.Value)).ToList())));

        [Theory]
        [InlineData("AEA5hy7h/v8=", 365)]   // one year, as the User template carries it
        [InlineData("AIByDl3C/f8=", 730)]   // two years
        [InlineData("AICmCv/e//8=", 42)]    // six weeks
        public void Periods_are_negative_little_endian_filetime_intervals(string base64, int days) =>
            AdcsDirectoryReader.DecodePeriod(Convert.FromBase64String(base64)).Should().Be(TimeSpan.FromDays(days));

        [Fact]
        public void A_period_of_the_wrong_length_or_sign_is_not_a_period()
        {
            AdcsDirectoryReader.DecodePeriod(new byte[] { 0, 0x40, 0x39 }).Should().BeNull();
            AdcsDirectoryReader.DecodePeriod(new byte[9]).Should().BeNull();
            AdcsDirectoryReader.DecodePeriod(BitConverter.GetBytes(864000000000L)).Should().BeNull("a positive interval is not what AD writes");
        }

        [Theory]
        [InlineData("1\n2\n0\nhttps://ca.contoso.com/CA_CES_Kerberos/service.svc/CES\n0", 1, "Kerberos", false)]
        [InlineData("10\n4\n1\nhttps://ca.contoso.com/CA_CES_UsernamePassword/service.svc/CES", 10, "UsernamePassword", true)]
        [InlineData("3\r\n8\r\n0\r\nhttps://ca.contoso.com/CA_CES_Certificate/service.svc/CES\r\n0", 3, "Certificate", false)]
        public void Enrollment_server_values_give_priority_authentication_and_renewal(string value, int priority, string authentication, bool renewalOnly)
        {
            var warnings = new List<string>();
            var endpoint = AdcsDirectoryReader.ReadEndpoint(value, "CN=CA", "CA", warnings)!;
            (endpoint.Priority, endpoint.Authentication, endpoint.RenewalOnly).Should().Be((priority, authentication, renewalOnly));
            warnings.Should().BeEmpty();
        }

        [Theory]
        [InlineData("1\n2\n0", "3 of the 4 fields")]
        [InlineData("one\n2\n0\nhttps://ca/CES", "should start with a priority")]
        [InlineData("1\n2\nyes\nhttps://ca/CES", "should start with a priority")]
        [InlineData("1\n2\n0\nhttp://ca.contoso.com/CES", "not an https:// URL")]
        [InlineData("1\n2\n0\n\n0", "not an https:// URL")]
        public void Malformed_enrollment_server_values_are_skipped_with_a_warning_naming_the_ca(string value, string expected)
        {
            var warnings = new List<string>();
            AdcsDirectoryReader.ReadEndpoint(value, "CN=CA", "Contoso Issuing CA", warnings).Should().BeNull();
            warnings.Should().ContainSingle().Which.Should().Contain("'Contoso Issuing CA'").And.Contain(expected);
        }

        [Fact]
        public void Templates_without_an_oid_or_with_a_broken_period_are_skipped_and_flags_may_be_negative()
        {
            var warnings = new List<string>();
            AdcsDirectoryReader.ReadTemplate(Entry("CN=NoOid,CN=Certificate Templates", ("cn", "NoOid")), warnings).Should().BeNull();
            AdcsDirectoryReader.ReadTemplate(Entry("CN=Bad,CN=Certificate Templates", ("cn", "Bad"), ("msPKI-Cert-Template-OID", "not.an.oid")), warnings).Should().BeNull();
            AdcsDirectoryReader.ReadTemplate(Entry("CN=Short,CN=Certificate Templates", ("cn", "Short"), ("msPKI-Cert-Template-OID", "1.2.3.4"),
                ("pKIOverlapPeriod", new byte[] { 1, 2 })), warnings).Should().BeNull();
            warnings.Should().HaveCount(3);
            warnings[0].Should().Contain("'NoOid'").And.Contain("no msPKI-Cert-Template-OID");
            warnings[1].Should().Contain("'not.an.oid' is not an OID");
            warnings[2].Should().Contain("pKIOverlapPeriod is 2 byte(s) where 8 are expected");

            var user = AdcsDirectoryReader.ReadTemplate(Entry("CN=User,CN=Certificate Templates", ("cn", "User"), ("msPKI-Cert-Template-OID", "1.2.3.4"),
                ("msPKI-Certificate-Name-Flag", "-1509949440"), ("msPKI-Enrollment-Flag", "41"), ("pKIKeyUsage", new byte[] { 0xa0, 0x00 })), warnings)!;
            user.SubjectNameFlags.Should().Be(unchecked((int)0xA6000000));
            user.SubjectFromRequest.Should().BeFalse();
            user.RequiresApproval.Should().BeFalse("0x29 has no 0x2 bit");
            user.KeyUsage.Should().Be(0xa0);
            user.Validity.Should().Be(TimeSpan.Zero, "no pKIExpirationPeriod: unknown, not a failure");
        }

        [Fact]
        public void Enrollment_services_without_a_host_or_a_readable_certificate_are_skipped()
        {
            var warnings = new List<string>();
            AdcsDirectoryReader.ReadEnrollmentService(Entry("CN=Orphan,CN=Enrollment Services", ("cn", "Orphan")), warnings).Should().BeNull();
            AdcsDirectoryReader.ReadEnrollmentService(Entry("CN=Garbled,CN=Enrollment Services", ("cn", "Garbled"), ("dNSHostName", "ca.contoso.com"),
                ("cACertificate", new byte[] { 0x30, 0x03, 0x02, 0x01 })), warnings).Should().BeNull();
            warnings.Should().HaveCount(2);
            warnings[0].Should().Contain("'Orphan'").And.Contain("no dNSHostName and no cACertificate");
            warnings[1].Should().Contain("'Garbled'").And.Contain("not a certificate");
        }

        [Fact]
        public void The_forest_name_comes_from_the_configuration_naming_context() =>
            AdcsDirectory.ForestOf("CN=Configuration,DC=corp,DC=contoso,DC=com").Should().Be("corp.contoso.com");
    }
}
