using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FluentAssertions;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using PSCertConnector.Core.Pkix;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>
    /// The forward-only certificate reader agrees with the platform's X509Certificate2 on the fields both read, and with
    /// the crypto library's name and SAN decoding it replaced, over certificates built by the platform (not by our code).
    /// </summary>
    public class CertificateReaderTests
    {
        public static IEnumerable<object[]> Certificates()
        {
            yield return Case("rsa, printable names, dns sans", Rsa(), Name(("2.5.4.6", "US", UniversalTagNumber.PrintableString), ("2.5.4.10", "Contoso", UniversalTagNumber.PrintableString), ("2.5.4.3", "web01.contoso.com", UniversalTagNumber.PrintableString)),
                new byte[] { 0x01, 0x02, 0x03 }, san => { san.AddDnsName("web01.contoso.com"); san.AddDnsName("web01"); });
            yield return Case("ecdsa, utf8 names, no san", Ecdsa(), Name(("2.5.4.10", "Müller & Söhne GmbH", UniversalTagNumber.UTF8String), ("2.5.4.3", "Zürich Gateway ☃", UniversalTagNumber.UTF8String)),
                new byte[] { 0x7F, 0xFF }, null);
            yield return Case("bmp names", Ecdsa(), Name(("2.5.4.11", "Ops", UniversalTagNumber.BMPString), ("2.5.4.3", "日本語の名前", UniversalTagNumber.BMPString)),
                new byte[] { 0x42 }, san => san.AddEmailAddress("ops@contoso.com"));
            yield return Case("long serial with leading zeros", Rsa(), Name(("2.5.4.3", "serial.contoso.com", UniversalTagNumber.UTF8String)),
                new byte[] { 0x00, 0x00, 0x00, 0x9A }.Concat(Enumerable.Range(1, 16).Select(i => (byte)i)).ToArray(), null);
            yield return Case("serial needing a sign byte", Ecdsa(), Name(("2.5.4.3", "sign", UniversalTagNumber.UTF8String)),
                new byte[] { 0x00, 0x80, 0x01 }, null);
            yield return Case("many sans of every simple kind", Ecdsa(), Name(("0.9.2342.19200300.100.1.25", "com", UniversalTagNumber.IA5String), ("0.9.2342.19200300.100.1.25", "contoso", UniversalTagNumber.IA5String), ("2.5.4.3", "many", UniversalTagNumber.UTF8String)),
                new byte[] { 0x11, 0x22 }, san =>
                {
                    for (int i = 0; i < 200; i++) san.AddDnsName($"host{i}.contoso.com");
                    san.AddIpAddress(IPAddress.Parse("10.1.2.3"));
                    san.AddIpAddress(IPAddress.Parse("2001:db8::1"));
                    san.AddUri(new Uri("https://contoso.com/device/7"));
                    san.AddEmailAddress("pki@contoso.com");
                });
            yield return Case("upn san goes the other way", Rsa(), Name(("2.5.4.3", "alice", UniversalTagNumber.UTF8String)),
                new byte[] { 0x05 }, san => { san.AddUserPrincipalName("alice@contoso.com"); san.AddDnsName("alice.contoso.com"); });
            yield return Case("names that need escaping", Ecdsa(), Name(("2.5.4.10", "Contoso, Inc.", UniversalTagNumber.UTF8String), ("2.5.4.3", "#hash+plus=eq", UniversalTagNumber.UTF8String)),
                new byte[] { 0x06 }, null);
            yield return Case("e-mail, serialNumber and an oid without a symbol", Ecdsa(), Name(("1.2.840.113549.1.9.1", "pki@contoso.com", UniversalTagNumber.IA5String), ("2.5.4.5", "A-17", UniversalTagNumber.PrintableString), ("1.3.6.1.4.1.99999.1", "custom", UniversalTagNumber.UTF8String), ("2.5.4.3", "mixed", UniversalTagNumber.UTF8String)),
                new byte[] { 0x07 }, null);
            yield return Case("multi-valued rdn", Ecdsa(), new X500DistinguishedName("CN=multi + OU=Ops, O=Contoso"), new byte[] { 0x08 }, null);
            yield return Case("two common names", Ecdsa(), Name(("2.5.4.3", "outer", UniversalTagNumber.UTF8String), ("2.5.4.3", "inner", UniversalTagNumber.UTF8String)), new byte[] { 0x09 }, null);
            yield return Case("empty subject", Ecdsa(), new X500DistinguishedName(new byte[] { 0x30, 0x00 }), new byte[] { 0x0A }, san => san.AddDnsName("empty-subject.contoso.com"));
        }

        [Theory]
        [MemberData(nameof(Certificates))]
        public void Agrees_with_the_platform_and_the_crypto_library(string description, byte[] der)
        {
            var read = CertificateReader.Read(der);
            using var platform = X509CertificateLoader.LoadCertificate(der);

            read.SerialNumber.Should().Be(platform.SerialNumber, description);
            read.ThumbprintSha1.Should().Be(platform.Thumbprint, description);
            read.ThumbprintSha256.Should().Be(Convert.ToHexString(SHA256.HashData(der)), description);
            read.IssuerKey.Should().Be(Convert.ToHexString(SHA256.HashData(platform.IssuerName.RawData)), description);
            read.PublicKeyId.Should().Be(Convert.ToHexString(SHA256.HashData(platform.PublicKey.ExportSubjectPublicKeyInfo())), description);
            read.NotBefore.UtcDateTime.Should().Be(platform.NotBefore.ToUniversalTime(), description);
            read.NotAfter.UtcDateTime.Should().Be(platform.NotAfter.ToUniversalTime(), description);

            var san = platform.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault();
            read.SubjectAlternativeNames.Where(s => s.Type == SanType.Dns).Select(s => s.Value)
                .Should().Equal(san?.EnumerateDnsNames() ?? Enumerable.Empty<string>(), description);
            read.SubjectAlternativeNames.Where(s => s.Type == SanType.IpAddress).Select(s => s.Value)
                .Should().Equal(san?.EnumerateIPAddresses().Select(a => a.ToString()) ?? Enumerable.Empty<string>(), description);

            // The names and SANs as the crypto library's object tree gives them (what the reader used before).
            var bc = X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der));
            read.Subject.Should().Be(DistinguishedNames.Format(bc.Subject), description);
            read.Issuer.Should().Be(DistinguishedNames.Format(bc.Issuer), description);
            read.CommonName.Should().Be(DistinguishedNames.CommonName(bc.Subject), description);
            var sanExtension = bc.TbsCertificate.Extensions?.GetExtension(X509Extensions.SubjectAlternativeName);
            read.SubjectAlternativeNames.Should().Equal(sanExtension == null ? new List<SubjectAlternativeName>() : GeneralNameCodec.Decode(sanExtension.GetParsedValue()), description);
            var ekuExtension = bc.TbsCertificate.Extensions?.GetExtension(X509Extensions.ExtendedKeyUsage);
            read.EnhancedKeyUsages.Should().Equal(ekuExtension == null ? new List<string>() : GeneralNameCodec.DecodeEku(ekuExtension.GetParsedValue()), description);
        }

        [Theory]
        [InlineData("rsa, printable names, dns sans", true)]
        [InlineData("ecdsa, utf8 names, no san", true)]
        [InlineData("bmp names", true)]
        [InlineData("two common names", true)]
        [InlineData("empty subject", true)]
        [InlineData("names that need escaping", false)]
        [InlineData("multi-valued rdn", false)]
        [InlineData("e-mail, serialNumber and an oid without a symbol", false)]
        public void Common_names_take_the_forward_read_and_the_rest_the_crypto_library(string description, bool forward)
        {
            var der = (byte[])Certificates().Single(c => (string)c[0] == description)[1];
            using var platform = X509CertificateLoader.LoadCertificate(der);
            DistinguishedNames.TryFormatSimple(platform.SubjectName.RawData, out var text, out _).Should().Be(forward);
            if (forward) text.Should().Be(CertificateReader.Read(der).Subject);
        }

        [Fact]
        public void A_corrupt_extension_identifier_is_refused_as_before()
        {
            var der = (byte[])Certificates().First()[1];
            // The EKU extension's OID 2.5.29.37 (06 03 55 1D 25) with its last arc made incomplete (high bit set).
            var at = IndexOf(der, new byte[] { 0x06, 0x03, 0x55, 0x1D, 0x25 });
            at.Should().BeGreaterThan(0);
            der[at + 4] = 0xA5;
            var act = () => CertificateReader.Read(der);
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("MalformedCertificate");
        }

        private static object[] Case(string description, AsymmetricAlgorithm key, X500DistinguishedName subject, byte[] serial, Action<SubjectAlternativeNameBuilder>? sans)
        {
            using (key)
            {
                var request = key is RSA rsa
                    ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                    : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2") }, false));
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
                if (sans != null)
                {
                    var builder = new SubjectAlternativeNameBuilder();
                    sans(builder);
                    request.CertificateExtensions.Add(builder.Build());
                }
                var issuer = new X500DistinguishedName("CN=Reader Test CA, O=Contoso, C=US");
                using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var generator = X509SignatureGenerator.CreateForECDsa(caKey);
                var notBefore = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
                using var certificate = request.Create(issuer, generator, notBefore, notBefore.AddDays(397), serial);
                return new object[] { description, certificate.RawData };
            }
        }

        private static X500DistinguishedName Name(params (string Oid, string Value, UniversalTagNumber Type)[] rdns)
        {
            var builder = new X500DistinguishedNameBuilder();
            foreach (var (oid, value, type) in rdns) builder.Add(oid, value, type);
            return builder.Build();
        }

        private static AsymmetricAlgorithm Rsa() => RSA.Create(2048);
        private static AsymmetricAlgorithm Ecdsa() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
            return -1;
        }
    }
}
