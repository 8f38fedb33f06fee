using System.Text;
using CsCheck;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Pkix;
using Xunit;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// Round trips over generated inputs (CsCheck): what we build, we read back the same. Iterations are few and
    /// keys are EC P-256 so the whole class runs in a few seconds; a failure prints the seed that reproduces it.
    /// </summary>
    public sealed class PkixPropertyTests
    {
        private const int Iterations = 25;

        private static readonly Gen<string> Label =
            Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 12].Select(c => new string(c));

        private static readonly Gen<string> Word =
            Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 16].Select(c => new string(c));

        private static readonly Gen<SubjectAlternativeName> San = Gen.OneOf(
            Gen.Select(Label, Label, (host, zone) => new SubjectAlternativeName(SanType.Dns, $"{host}.{zone}.example")),
            Gen.Select(Label, Label, (user, domain) => new SubjectAlternativeName(SanType.Email, $"{user}@{domain}.example")),
            Gen.Select(Label, Label, (user, domain) => new SubjectAlternativeName(SanType.Upn, $"{user}@{domain}.example")),
            Gen.Byte.Array[4].Select(b => new SubjectAlternativeName(SanType.IpAddress, new System.Net.IPAddress(b).ToString())));

        // Positive and minimal as DER keeps it: a first byte of 1..0x7F, so no leading zero is added or dropped.
        private static readonly Gen<byte[]> Serial =
            Gen.Select(Gen.Byte[1, 0x7F], Gen.Byte.Array[0, 15], (first, rest) => new[] { first }.Concat(rest).ToArray());

        [Fact]
        public void A_built_request_parses_back_to_its_subject_names_and_key()
        {
            Gen.Select(Word, Word.Array[0, 2], San.Array[0, 5]).Sample((commonName, organizations, sans) =>
            {
                var subject = "CN=" + commonName + string.Concat(organizations.Select(o => ",O=" + o));
                using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
                var der = CsrBuilder.Build(new RequestSpec { Subject = subject, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256, SubjectAlternativeNames = sans }, key);

                var parsed = CsrParser.Parse(der);
                parsed.CommonName.Should().Be(commonName);
                DistinguishedNames.Parse(parsed.Subject, "parsed subject").Equivalent(DistinguishedNames.Parse(subject, "subject"), inOrder: true)
                    .Should().BeTrue($"'{parsed.Subject}' should name '{subject}'");
                parsed.SubjectAlternativeNames.Should().Equal(sans);
                parsed.KeyAlgorithm.Should().Be(KeyAlgorithm.EcdsaP256);
                parsed.KeySize.Should().Be(256);
                parsed.PublicKeyInfo.Should().Equal(key.PublicKeyInfo);
            }, iter: Iterations, threads: 1);
        }

        [Fact]
        public void A_request_reads_the_same_from_PEM_as_from_DER()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            Gen.Select(Word, San.Array[0, 3]).Sample((commonName, sans) =>
            {
                var der = CsrBuilder.Build(new RequestSpec { Subject = "CN=" + commonName, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256, SubjectAlternativeNames = sans }, key);
                var pem = Encoding.ASCII.GetBytes(CsrParser.ToPem(der));

                Pem.ReadPemOrDer(pem, "request", "CERTIFICATE REQUEST").Should().Equal(der);
                var fromPem = CsrParser.Parse(pem);
                fromPem.Der.Should().Equal(der);
                fromPem.Should().BeEquivalentTo(CsrParser.Parse(der));
            }, iter: Iterations, threads: 1);
        }

        [Fact]
        public void A_certificate_reads_the_same_from_PEM_as_from_DER()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var epoch = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            // Up to 2060: UTCTime before 2050, GeneralizedTime from then on (RFC 5280), both read back.
            Gen.Select(Word, Serial, Gen.Int[0, 60 * 365], Gen.Int[1, 3650]).Sample((commonName, serial, startDay, days) =>
            {
                var notBefore = epoch.AddDays(startDay);
                var der = CaSigner.CreateSelfSigned(key, "CN=" + commonName, new IssuancePolicy { SerialNumber = serial, NotBefore = notBefore, NotAfter = notBefore.AddDays(days) });
                var pem = Encoding.ASCII.GetBytes(Pem.Encode("CERTIFICATE", der));

                Pem.ReadPemOrDer(pem, "certificate", "CERTIFICATE").Should().Equal(der);
                var fromDer = CertificateReader.Read(der);
                CertificateReader.Read(pem).Should().BeEquivalentTo(fromDer);
                fromDer.CommonName.Should().Be(commonName);
                fromDer.SerialNumber.Should().Be(Hex.Encode(serial));
                fromDer.NotBefore.Should().Be(notBefore);
                fromDer.NotAfter.Should().Be(notBefore.AddDays(days));
            }, iter: Iterations, threads: 1);
        }

        private static readonly RevocationReason[] CrlReasons =
        {
            RevocationReason.Unspecified, RevocationReason.KeyCompromise, RevocationReason.CACompromise, RevocationReason.AffiliationChanged,
            RevocationReason.Superseded, RevocationReason.CessationOfOperation, RevocationReason.CertificateHold,
            RevocationReason.PrivilegeWithdrawn, RevocationReason.AACompromise,
        };

        [Fact]
        public void A_CRL_the_CA_signs_reads_back_its_serials_reasons_and_dates()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var now = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
            var caDer = CaSigner.CreateSelfSigned(key, "CN=Property CA", new IssuancePolicy
            {
                SerialNumber = new byte[] { 1 }, NotBefore = now.AddYears(-1), NotAfter = now.AddYears(5), IsCa = true, KeyUsage = 0x06,
            });
            var signer = new CaSigner(caDer, key);
            var revocation = Gen.Select(Serial, Gen.Int[0, 40 * 365 * 24 * 60], Gen.OneOf(CrlReasons),
                (serial, minutes, reason) => new CrlRevocation(Hex.Encode(serial), new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(minutes), reason));

            Gen.Select(revocation.Array[0, 20], Gen.Long[1, long.MaxValue]).Sample((revocations, crlNumber) =>
            {
                var unique = revocations.GroupBy(r => r.SerialNumber).Select(g => g.First()).ToList();
                var crl = signer.CreateCrl(crlNumber, now, now.AddDays(7), unique);

                var read = CrlReader.Read(crl, caDer);
                read.SignatureValid.Should().BeTrue();
                read.CrlNumber.Should().Be(crlNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
                read.ThisUpdate.Should().Be(now);
                read.NextUpdate.Should().Be(now.AddDays(7));
                read.Issuer.Should().Contain("CN=Property CA");
                read.Entries.Select(e => e.SerialNumber).Should().BeEquivalentTo(unique.Select(r => r.SerialNumber));
                foreach (var entry in read.Entries)
                {
                    var expected = unique.Single(r => r.SerialNumber == entry.SerialNumber);
                    entry.RevokedAt.Should().Be(expected.RevokedAt);
                    // RFC 5280: an unspecified reason is left out rather than encoded, and reads back as none.
                    (entry.Reason ?? RevocationReason.Unspecified).Should().Be(expected.Reason);
                }
            }, iter: Iterations, threads: 1);
        }
    }
}
