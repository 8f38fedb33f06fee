using FluentAssertions;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Tests
{
    /// <summary>
    /// One request policy for what we build and what the embedded CA (and so the Lab) signs: RFC 5280's bounds, at most
    /// 32 subject attributes and 100 SANs, DNS lengths, no control characters; the refusal names the field and the limit.
    /// </summary>
    public sealed class RequestPolicyTests : IDisposable
    {
        private readonly TempHome _home = new();
        private readonly EmbeddedCertificateAuthority _ca;

        public RequestPolicyTests()
        {
            _ca = EmbeddedCertificateAuthority.OpenOrCreate(_home.File("ca"), SecretProtector.ForHome(_home.Path),
                new EmbeddedCaSettings { Name = "Policy", KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        }

        public void Dispose()
        {
            _ca.Dispose();
            _home.Dispose();
        }

        private static readonly Dictionary<string, string> NoAttributes = new();

        private static PscException Refusal(Action act) =>
            FluentActions.Invoking(act).Should().Throw<PscException>().Which;

        private static RequestSpec Spec(string subject, params SubjectAlternativeName[] sans) =>
            new() { Subject = subject, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256, SubjectAlternativeNames = sans };

        [Fact]
        public void Building_a_request_with_an_escape_sequence_in_the_cn_is_refused_without_echoing_it()
        {
            var ex = Refusal(() => CsrBuilder.Validate(Spec("CN=web\u001b[2Jx,O=Contoso")));
            ex.ErrorId.Should().Be("RequestPolicyViolation");
            ex.Target.Should().Be("Subject");
            ex.Message.Should().Be("The Subject's CN contains the control character U+001B at position 4; names and values may not hold control characters.");
        }

        [Theory]
        [InlineData("dns=web\u0000.contoso.com", "U+0000")]
        [InlineData("email=a\u202Eb@contoso.com", "U+202E")]
        public void A_san_with_a_control_character_is_refused(string san, string codePoint)
        {
            var ex = Refusal(() => CsrBuilder.Validate(Spec("CN=web", SubjectAlternativeName.Parse(san))));
            ex.ErrorId.Should().Be("RequestPolicyViolation");
            ex.Message.Should().StartWith("Subject alternative name 1 (").And.Contain(codePoint);
            ex.Message.Should().NotContain("contoso");
        }

        [Fact]
        public void Dns_names_keep_to_rfc_1035_lengths()
        {
            var label64 = new string('a', 64) + ".contoso.com";
            Refusal(() => CsrBuilder.Validate(Spec("CN=web", new SubjectAlternativeName(SanType.Dns, label64))))
                .Message.Should().Be("Subject alternative name 1 (dns) has a label of 64 characters; at most 63 are allowed (RFC 1035).");
            var long254 = string.Join(".", Enumerable.Repeat(new string('b', 50), 5)) + ".com"; // 259 characters
            Refusal(() => CsrBuilder.Validate(Spec("CN=web", new SubjectAlternativeName(SanType.Dns, long254))))
                .Message.Should().Contain("at most 253 are allowed");
            Refusal(() => CsrBuilder.Validate(Spec("CN=web", new SubjectAlternativeName(SanType.Dns, "a..contoso.com"))))
                .Message.Should().Contain("empty label");
            // The longest legal forms pass: a 63-character label, a wildcard, a trailing root dot.
            CsrBuilder.Validate(Spec("CN=web", new SubjectAlternativeName(SanType.Dns, new string('a', 63) + ".contoso.com"),
                new SubjectAlternativeName(SanType.Dns, "*.contoso.com"), new SubjectAlternativeName(SanType.Dns, "web.contoso.com.")));
        }

        [Fact]
        public void At_most_100_sans_and_32_subject_attributes()
        {
            var sans = Enumerable.Range(0, 101).Select(i => new SubjectAlternativeName(SanType.Dns, $"h{i}.contoso.com")).ToArray();
            Refusal(() => CsrBuilder.Validate(Spec("CN=web", sans))).Message
                .Should().Be("The request has 101 subject alternative names; at most 100 are allowed.");
            CsrBuilder.Validate(Spec("CN=web", sans.Take(100).ToArray()));

            var subject = "CN=web," + string.Join(",", Enumerable.Range(0, 32).Select(i => $"OU=u{i}"));
            Refusal(() => CsrBuilder.Validate(Spec(subject))).Message.Should().Be("The Subject has 33 attributes; at most 32 are allowed.");
        }

        [Theory]
        [InlineData("2.5.4.7", 128, "L")]
        [InlineData("2.5.4.8", 128, "ST")]
        [InlineData("2.5.4.6", 2, "C")]
        [InlineData("2.5.4.10", 64, "O")]
        [InlineData("1.2.840.113549.1.9.1", 255, "E")]
        public void Subject_attributes_keep_to_rfc_5280_upper_bounds(string oid, int bound, string label)
        {
            // Built as the CA receives them (not through the DN parser), so the bound is ours, not the parser's.
            X509Name Name(int length) => X509Name.GetInstance(Asn1Object.FromByteArray(HostileNames.Name((oid, new string('x', length))).RawData));
            RequestPolicy.Enforce(Name(bound), Array.Empty<SubjectAlternativeName>());
            Refusal(() => RequestPolicy.Enforce(Name(bound + 1), Array.Empty<SubjectAlternativeName>()))
                .Message.Should().Be($"The Subject's {label} is {bound + 1} characters long; at most {bound} are allowed (RFC 5280's upper bound).");
        }

        [Fact]
        public void A_request_attribute_with_a_line_break_is_refused_before_it_can_add_an_attribute()
        {
            var attributes = new Dictionary<string, string> { ["CertificateTemplate"] = "WebServer\nSAN:dns=evil.example" };
            Refusal(() => RequestPolicy.EnforceAttributes(attributes)).Message
                .Should().Be("The request attribute CertificateTemplate contains the control character U+000A at position 10; names and values may not hold control characters.");
        }

        [Fact]
        public void The_embedded_ca_denies_a_one_mebibyte_cn_as_ad_cs_does_and_issues_nothing()
        {
            var csr = HostileNames.Csr(HostileNames.CommonName(new string('A', 1024 * 1024)));
            var result = _ca.Submit(csr, "WebServer", NoAttributes);
            result.Status.Should().Be(SubmitStatus.Denied);
            result.HResult.Should().Be(unchecked((int)0x80094001), "CERTSRV_E_BAD_REQUESTSUBJECT");
            result.Certificate.Should().BeNull();
            result.DispositionMessage.Should().Be("Denied by Policy Module: The Subject's CN is 1048576 characters long; at most 64 are allowed (RFC 5280's upper bound).");
        }

        [Theory]
        [InlineData("web\u0000.contoso.com", "U+0000")]
        [InlineData("web\u001b]0;owned\u0007", "U+001B")]
        [InlineData("\u202Emoc.osotnoc", "U+202E")]
        public void The_embedded_ca_denies_control_characters_in_the_subject(string cn, string codePoint)
        {
            var result = _ca.Submit(HostileNames.Csr(HostileNames.CommonName(cn)), "WebServer", NoAttributes);
            result.Status.Should().Be(SubmitStatus.Denied);
            result.DispositionMessage.Should().Contain("The Subject's CN contains the control character " + codePoint);
            result.DispositionMessage.Should().NotContain(cn);
        }

        [Fact]
        public void The_embedded_ca_denies_a_line_break_in_an_enrollment_attribute_and_still_issues_clean_requests()
        {
            var csr = HostileNames.Csr(HostileNames.CommonName("web01.contoso.com"));
            _ca.Submit(csr, "WebServer", new Dictionary<string, string> { ["ccm"] = "a\r\nCertificateTemplate:Admin" })
                .Status.Should().Be(SubmitStatus.Denied);
            var issued = _ca.Submit(HostileNames.Csr(HostileNames.CommonName("web02.contoso.com")), "WebServer", NoAttributes);
            issued.Status.Should().Be(SubmitStatus.Issued);
        }
    }
}
