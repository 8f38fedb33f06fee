using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using Xunit;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// The DigiCert PKI Platform request rules of the Intune guide, one case per row of its attribute table:
    /// subject format × which of email and UPN the user has, and what the request ends up with.
    /// </summary>
    public sealed class IntuneRulesTests
    {
        private static readonly RequestSpec Base = new() { Subject = "" };

        private static (RequestSpec Spec, IReadOnlyList<string> Notes) Apply(IntuneSubjectFormat format, string? cn, string? email, string? upn, bool emailSan = true, bool upnSan = true) =>
            IntuneRules.Apply(Base, new IntuneIdentity { SubjectFormat = format, CommonName = cn, Email = email, Upn = upn, EmailSan = emailSan, UpnSan = upnSan });

        private static string? San(RequestSpec spec, SanType type) => spec.SubjectAlternativeNames.SingleOrDefault(s => s.Type == type)?.Value;

        [Theory]
        // format,                                  cn,           email,               upn,                 subject,                                    email SAN,           UPN SAN
        [InlineData(IntuneSubjectFormat.CommonName, "Ada Lovelace", "ada@contoso.com", "ada@corp.contoso.com", "CN=Ada Lovelace", "ada@contoso.com", "ada@corp.contoso.com")]
        [InlineData(IntuneSubjectFormat.CommonNameAndEmail, "Ada Lovelace", "ada@contoso.com", "ada@corp.contoso.com", "CN=Ada Lovelace, E=ada@contoso.com", "ada@contoso.com", "ada@corp.contoso.com")]
        [InlineData(IntuneSubjectFormat.CommonNameAsEmail, "Ada Lovelace", "ada@contoso.com", "ada@corp.contoso.com", "CN=ada@contoso.com", "ada@contoso.com", "ada@corp.contoso.com")]
        [InlineData(IntuneSubjectFormat.CommonName, "Ada Lovelace", null, "ada@corp.contoso.com", "CN=Ada Lovelace", "ada@corp.contoso.com", "ada@corp.contoso.com")]
        [InlineData(IntuneSubjectFormat.CommonNameAndEmail, "Ada Lovelace", "ada@contoso.com", null, "CN=Ada Lovelace, E=ada@contoso.com", "ada@contoso.com", "ada@contoso.com")]
        [InlineData(IntuneSubjectFormat.CommonName, "ada@contoso.com", null, null, "CN=ada@contoso.com", "ada@contoso.com", "ada@contoso.com")]
        [InlineData(IntuneSubjectFormat.CommonNameAsEmail, null, null, "ada@corp.contoso.com", "CN=ada@corp.contoso.com", "ada@corp.contoso.com", "ada@corp.contoso.com")]
        public void Each_row_of_the_attribute_table_gives_its_subject_and_sans(IntuneSubjectFormat format, string? cn, string? email, string? upn,
            string subject, string emailSan, string upnSan)
        {
            var (spec, _) = Apply(format, cn, email, upn);
            spec.Subject.Should().Be(subject);
            San(spec, SanType.Email).Should().Be(emailSan);
            San(spec, SanType.Upn).Should().Be(upnSan);
        }

        [Fact]
        public void Every_fallback_is_said()
        {
            Apply(IntuneSubjectFormat.CommonName, "Ada", null, "ada@corp.contoso.com").Notes.Should().ContainSingle(n => n.Contains("UPN") && n.Contains("used as the email"));
            Apply(IntuneSubjectFormat.CommonName, "Ada", "ada@contoso.com", null).Notes.Should().ContainSingle(n => n.Contains("used as the UPN"));
            Apply(IntuneSubjectFormat.CommonName, "ada@contoso.com", null, null).Notes.Should().ContainSingle(n => n.Contains("email-shaped subject"));
            Apply(IntuneSubjectFormat.CommonName, "Ada", "ada@contoso.com", "ada@corp.contoso.com").Notes.Should().BeEmpty();
        }

        [Theory]
        [InlineData(IntuneSubjectFormat.CommonName, "Ada Lovelace", null, null, "email")]
        [InlineData(IntuneSubjectFormat.CommonNameAsEmail, null, null, null, "email")]
        [InlineData(IntuneSubjectFormat.CommonName, null, "ada@contoso.com", "ada@contoso.com", "common name")]
        public void A_missing_attribute_with_no_fallback_is_named(IntuneSubjectFormat format, string? cn, string? email, string? upn, string attribute)
        {
            var act = () => Apply(format, cn, email, upn);
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("IntuneAttributeMissing");
            error.Message.Should().Contain(attribute);
        }

        [Fact]
        public void A_upn_with_an_underscore_is_flagged_with_the_remedy_and_can_be_left_out()
        {
            var (spec, notes) = Apply(IntuneSubjectFormat.CommonName, "Svc", "svc_web@contoso.com", "svc_web@contoso.com");
            notes.Should().ContainSingle(n => n.Contains("'_'") && n.Contains("Remedy"));
            San(spec, SanType.Upn).Should().Be("svc_web@contoso.com");
            var (without, quiet) = Apply(IntuneSubjectFormat.CommonName, "Svc", "svc_web@contoso.com", "svc_web@contoso.com", upnSan: false);
            San(without, SanType.Upn).Should().BeNull();
            quiet.Should().BeEmpty();
        }

        [Fact]
        public void Other_names_are_given_in_hex_and_checked()
        {
            var (spec, _) = IntuneRules.Apply(Base, new IntuneIdentity { CommonName = "Dev", Email = "dev@contoso.com", OtherNames = new[] { "1.3.6.1.4.1.311.25.1;04 10 A1 B2 C3 D4 E5 F6 07 18 29 3A 4B 5C 6D 7E 8F 90" } });
            spec.SubjectAlternativeNames.Should().Contain(s => s.Type == SanType.OtherName && s.Value == "1.3.6.1.4.1.311.25.1;0410A1B2C3D4E5F60718293A4B5C6D7E8F90");
            FluentActions.Invoking(() => IntuneRules.OtherName("1.3.6;xyz")).Should().Throw<PscException>().Which.Message.Should().Contain("not hexadecimal");
            FluentActions.Invoking(() => IntuneRules.OtherName("guid;0410")).Should().Throw<PscException>().Which.Message.Should().Contain("<OID>;<hex");
        }

        [Fact]
        public void An_other_name_that_repeats_the_upn_san_is_included_once_and_said()
        {
            var (spec, notes) = IntuneRules.Apply(Base, new IntuneIdentity
            {
                CommonName = "Bob", Upn = "bob@contoso.com", OtherNames = new[] { "1.3.6.1.4.1.311.20.2.3;0c0f626f6240636f6e746f736f2e636f6d" },
            });
            spec.SubjectAlternativeNames.Where(s => s.Type == SanType.Upn).Should().ContainSingle().Which.Value.Should().Be("bob@contoso.com");
            spec.SubjectAlternativeNames.Should().NotContain(s => s.Type == SanType.OtherName);
            notes.Should().Contain(n => n.Contains("included once"));
        }

        [Theory]
        [InlineData("2.16.840.1.113733.1.16.1.2.3.1.1.61904612", true)]
        [InlineData(" 2.16.840.1.113733.1.16.1.2.3.1.1.61904612 ", true)]
        [InlineData("WebServer", false)]
        [InlineData("2.16..840", false)]
        public void The_profile_oid_must_be_a_dotted_oid(string text, bool valid)
        {
            var act = () => IntuneRules.ProfileOid(text);
            if (valid) act().Should().Be(text.Trim());
            else act.Should().Throw<PscException>().Which.ErrorId.Should().Be("InvalidProfileOid");
        }

        [Theory]
        [InlineData("pki-ws.symauth.com", true)]
        [InlineData("PKI-WS.symauth.com", true)]
        [InlineData("pki-ws.symauth.com/", false)]
        [InlineData("https://pki-ws.symauth.com", false)]
        [InlineData("pki-ws.symauth.com/pki", false)]
        [InlineData("localhost", false)]
        public void The_ca_fqdn_is_a_host_name_without_scheme_or_trailing_slash(string text, bool valid)
        {
            var act = () => IntuneRules.CaFqdn(text);
            if (valid) act().Should().Be("pki-ws.symauth.com");
            else act.Should().Throw<PscException>().Which.Message.Should().Contain("trailing slash");
        }

        [Fact]
        public void The_ca_name_is_the_literal_symantec()
        {
            IntuneRules.CaName("Symantec").Should().Be("Symantec");
            FluentActions.Invoking(() => IntuneRules.CaName("DigiCert")).Should().Throw<PscException>().Which.ErrorId.Should().Be("InvalidCaName");
        }

        [Fact]
        public void The_rules_shape_a_real_request_and_its_notes_are_warnings()
        {
            using var home = new TempHome();
            using var workspace = Workspace.Open(home.Path);
            var sink = new RecordingSink();
            var result = new RequestOperations(workspace, sink).Build(new RequestSpec { Subject = "CN=ignored" },
                intune: new IntuneIdentity { SubjectFormat = IntuneSubjectFormat.CommonNameAndEmail, CommonName = "Ada Lovelace", Upn = "ada_l@contoso.com" });
            sink.Errors.Should().BeEmpty();
            var info = CsrParser.Parse(result!.Csr);
            info.CommonName.Should().Be("Ada Lovelace");
            info.Subject.Should().Contain("ada_l@contoso.com");
            info.SubjectAlternativeNames.Should().Contain(new SubjectAlternativeName(SanType.Upn, "ada_l@contoso.com"));
            sink.Warnings.Should().HaveCount(2, "the email fell back to the UPN, and the UPN has an underscore");
            result.Notes.Should().HaveCount(2);
        }
    }
}
