using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Tests
{
    public class InfParserTests
    {
        [Fact]
        public void Reads_the_guide_certreq_ini_as_certreq_would()
        {
            var result = InfParser.Parse(Samples.GuideCertreqIni);
            var spec = result.Spec;
            spec.Subject.Should().Be("C=US, O=Contoso, CN=ra01.contoso.com");
            spec.KeyAlgorithm.Should().Be(KeyAlgorithm.Rsa);
            spec.KeyLength.Should().Be(2048);
            spec.KeySpec.Should().Be(1);
            spec.KeyUsage.Should().Be(0xa0);
            spec.Exportable.Should().BeTrue();
            spec.MachineKeySet.Should().BeTrue();
            spec.ProviderName.Should().Be("Microsoft RSA SChannel Cryptographic Provider");
            spec.EnhancedKeyUsages.Should().Equal("1.3.6.1.5.5.7.3.2"); // the // remark is not part of the OID
        }

        [Fact]
        public void Reports_every_windows_only_key_it_ignores()
        {
            var notes = InfParser.Parse(Samples.GuideCertreqIni).Notes;
            foreach (var key in new[] { "SMIME", "PrivateKeyArchive", "UserProtected", "UseExistingKeySet", "ProviderType" })
                notes.Should().Contain(n => n.StartsWith(key + " = "), $"{key} must be reported, not silently dropped");
            notes.Should().Contain(n => n.Contains("ProviderName"));
        }

        [Fact]
        public void Joins_continue_lines_of_a_text_san_and_reads_request_attributes()
        {
            var inf = "[NewRequest]\nSubject = \"CN=web01\"\nKeyAlgorithm = ECDSA_P256\nHashAlgorithm = sha384\n" +
                      "[Extensions]\n2.5.29.17 = \"{text}\"\n_continue_ = \"dns=web01.contoso.com&\"\n_continue_ = \"ipaddress=10.1.2.3&upn=svc@contoso.com&email=a@contoso.com\"\n" +
                      "2.5.29.37 = \"{text}1.3.6.1.5.5.7.3.1,1.3.6.1.5.5.7.3.2\"\n" +
                      "[RequestAttributes]\nCertificateTemplate = WebServer\n";
            var spec = InfParser.Parse(inf).Spec;
            spec.KeyAlgorithm.Should().Be(KeyAlgorithm.EcdsaP256);
            spec.KeyLength.Should().Be(256);
            spec.HashAlgorithm.Should().Be(SignatureHash.Sha384);
            spec.SubjectAlternativeNames.Should().Equal(
                new SubjectAlternativeName(SanType.Dns, "web01.contoso.com"),
                new SubjectAlternativeName(SanType.IpAddress, "10.1.2.3"),
                new SubjectAlternativeName(SanType.Upn, "svc@contoso.com"),
                new SubjectAlternativeName(SanType.Email, "a@contoso.com"));
            spec.EnhancedKeyUsages.Should().Equal("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
            spec.CertificateTemplate.Should().Be("WebServer");
        }

        [Theory]
        [InlineData("[Version]\nSignature=x\n", "[NewRequest]")]
        [InlineData("[NewRequest]\nSubject = \"CN=a\"\nKeyUsage = 0xzz\n", "KeyUsage")]
        [InlineData("[NewRequest]\nSubject = \"CN=a\"\nKeyLength = 1000\n", "KeyLength")]
        [InlineData("[NewRequest]\nSubject = \"CN=a\"\nRequestType = CMC\n", "RequestType")]
        [InlineData("[NewRequest]\nSubject = \"CN=a\"\n[EnhancedKeyUsageExtension]\nOID = clientauth\n", "OID")]
        [InlineData("[NewRequest]\nSubject = \"CN=a\nKeyLength = 2048\n", "closing quote")]
        [InlineData("[NewRequest]\nSubject = \"XX=a\"\n", "Subject")]
        [InlineData("[NewRequest]\nKeyLength = 2048\n", "Subject")]
        public void Bad_inf_names_the_field_that_is_wrong(string inf, string field)
        {
            var act = () => InfParser.Parse(inf);
            act.Should().Throw<PscException>().Where(e => e.Message.Contains(field) && (e.ErrorId == "InvalidInf" || e.ErrorId == "InvalidKeyLength" || e.ErrorId == "InvalidDistinguishedName"));
        }

        [Fact]
        public void Named_key_usage_flags_combine()
        {
            var spec = InfParser.Parse("[NewRequest]\nSubject=\"CN=a\"\nKeyUsage = \"CERT_DIGITAL_SIGNATURE_KEY_USAGE | CERT_KEY_ENCIPHERMENT_KEY_USAGE\"\n").Spec;
            spec.KeyUsage.Should().Be(0xa0);
        }
    }

    public class CsrTests
    {
        [Fact]
        public void Built_request_parses_back_with_what_was_asked()
        {
            var spec = InfParser.Parse(Samples.GuideCertreqIni).Spec with
            {
                SubjectAlternativeNames = new[] { new SubjectAlternativeName(SanType.Dns, "ra01.contoso.com"), new SubjectAlternativeName(SanType.Upn, "ra01@contoso.com") },
                RequestAttributes = new Dictionary<string, string> { ["CertificateTemplate"] = "RA" },
            };
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var info = CsrParser.Parse(CsrBuilder.Build(spec, key));
            info.Subject.Should().Be("C=US,O=Contoso,CN=ra01.contoso.com", "certreq keeps the order the subject was written in");
            info.CommonName.Should().Be("ra01.contoso.com");
            info.KeySize.Should().Be(2048);
            info.KeyUsage.Should().Be(0xa0);
            info.EnhancedKeyUsages.Should().Equal("1.3.6.1.5.5.7.3.2");
            info.SubjectAlternativeNames.Should().HaveCount(2);
            info.Attributes["CertificateTemplate"].Should().Be("RA");
            info.PublicKeyId.Should().Be(key.KeyId);
        }

        [Fact]
        public void A_request_whose_bytes_were_altered_is_refused()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var der = CsrBuilder.Build(new RequestSpec { Subject = "CN=alter.me", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key);
            var index = IndexOf(der, System.Text.Encoding.ASCII.GetBytes("alter.me"));
            der[index] = (byte)'A';
            var act = () => CsrParser.Parse(der);
            act.Should().Throw<PscException>().Where(e => e.ErrorId == "CsrSignatureInvalid");
        }

        [Theory]
        [InlineData("")]
        [InlineData("-----BEGIN CERTIFICATE REQUEST-----\n!!!notbase64\n-----END CERTIFICATE REQUEST-----\n")]
        [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n")]
        [InlineData("hello world")]
        public void Malformed_input_gets_a_clear_error(string text)
        {
            var act = () => CsrParser.Parse(System.Text.Encoding.ASCII.GetBytes(text));
            act.Should().Throw<PscException>().Where(e => e.ErrorId == "MalformedInput" || e.ErrorId == "MalformedCsr")
                .And.Message.Should().Contain("certificate request");
        }

        [Fact]
        public void Pem_and_der_read_the_same()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP384, 384);
            var der = CsrBuilder.Build(new RequestSpec { Subject = "CN=p384", KeyAlgorithm = KeyAlgorithm.EcdsaP384, KeyLength = 384 }, key);
            var pem = System.Text.Encoding.ASCII.GetBytes(CsrParser.ToPem(der));
            CsrParser.Parse(pem).Der.Should().Equal(der);
            CsrParser.Parse(der).KeyAlgorithm.Should().Be(KeyAlgorithm.EcdsaP384);
        }

        [Fact]
        public void Keys_survive_pkcs8_export_and_import()
        {
            using var rsa = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            using var back = AsymmetricKey.ImportPkcs8(rsa.ExportPkcs8());
            back.KeyId.Should().Be(rsa.KeyId);
            using var ec = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            AsymmetricKey.ImportPkcs8(ec.ExportPkcs8()).KeyId.Should().Be(ec.KeyId);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
            throw new InvalidOperationException("not found");
        }
    }

    public class SerialTests
    {
        [Theory]
        [InlineData("0x1a2b", "1A2B")]
        [InlineData("61 00 00 00 0a", "610000000A")]
        [InlineData("abc", "0ABC")]
        public void Serials_are_normalised_as_ad_cs_spells_them(string input, string expected) =>
            Hex.NormalizeSerial(input).Should().Be(expected);

        [Fact]
        public void A_serial_that_is_not_hex_is_refused() =>
            FluentActions.Invoking(() => Hex.NormalizeSerial("12-ZZ")).Should().Throw<PscException>().Where(e => e.ErrorId == "InvalidSerialNumber");
    }

    public class SecretProtectorTests
    {
        [Fact]
        public void Protected_secrets_round_trip_and_are_not_stored_in_plain_form()
        {
            using var home = new TempHome();
            var protector = SecretProtector.ForHome(home.Path);
            var secret = System.Text.Encoding.UTF8.GetBytes("S3cret-Passw0rd!");
            var blob = protector.Protect(secret);
            System.Text.Encoding.UTF8.GetString(blob).Should().NotContain("S3cret");
            SecretProtector.ForHome(home.Path).Unprotect(blob).Should().Equal(secret);
        }

        [Fact]
        public void The_key_file_is_readable_only_by_its_owner()
        {
            if (OperatingSystem.IsWindows()) return; // DPAPI there: no key file
            using var home = new TempHome();
            SecretProtector.ForHome(home.Path).Protect(new byte[] { 1 });
            var mode = File.GetUnixFileMode(Path.Combine(home.Path, "keys", "secret.key"));
            mode.Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        [Fact]
        public void A_tampered_secret_is_refused()
        {
            using var home = new TempHome();
            var protector = SecretProtector.ForHome(home.Path);
            var blob = protector.Protect(new byte[] { 1, 2, 3 });
            blob[20] ^= 1;
            FluentActions.Invoking(() => protector.Unprotect(blob)).Should().Throw<PscException>().Where(e => e.ErrorId == "SecretUnreadable");
        }
    }
}
