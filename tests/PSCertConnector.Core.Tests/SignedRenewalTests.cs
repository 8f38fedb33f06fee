using FluentAssertions;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>The embedded CA (and so the Lab) takes renewals signed with the old certificate's key, as AD CS does.</summary>
    public sealed class SignedRenewalTests : IDisposable
    {
        private static readonly Dictionary<string, string> NoAttributes = new();
        private readonly TempHome _home = new();
        private readonly EmbeddedCertificateAuthority _ca;

        public SignedRenewalTests()
        {
            _ca = EmbeddedCertificateAuthority.OpenOrCreate(_home.File("ca"), SecretProtector.ForHome(_home.Path),
                new EmbeddedCaSettings { Name = "Test", KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        }

        public void Dispose()
        {
            _ca.Dispose();
            _home.Dispose();
        }

        private static byte[] Csr(AsymmetricKey key, string cn) =>
            CsrBuilder.Build(new RequestSpec { Subject = "CN=" + cn, KeyAlgorithm = key.Algorithm, KeyLength = key.KeySize }, key);

        /// <summary>A certificate of the approval template, approved once: the certificate and its key.</summary>
        private (byte[] Certificate, AsymmetricKey Key) Approved(string cn)
        {
            var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var pending = _ca.Submit(Csr(key, cn), "WebServerApproval", NoAttributes);
            pending.Status.Should().Be(SubmitStatus.Pending);
            var issued = _ca.Approve(long.Parse(pending.RequestId!));
            return (issued.Certificate!, key);
        }

        [Fact]
        public void A_renewal_signed_by_a_valid_certificate_of_the_same_template_needs_no_approval_again()
        {
            var (old, oldKey) = Approved("app01");
            using var newKey = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var renewal = SignedRenewalRequest.Sign(Csr(newKey, "app01"), old, oldKey);

            var result = _ca.Submit(renewal, "WebServerApproval", NoAttributes);

            result.Status.Should().Be(SubmitStatus.Issued);
            var successor = CertificateReader.Read(result.Certificate!);
            successor.Subject.Should().Be("CN=app01");
            successor.PublicKeyId.Should().Be(KeyFactory.PublicKeyId(newKey.PublicKeyInfo), "the CA signs the request inside, not the old key");
            oldKey.Dispose();
        }

        [Fact]
        public void A_plain_request_a_revoked_signer_or_another_template_still_waits_for_approval()
        {
            var (old, oldKey) = Approved("app02");
            using var newKey = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            _ca.Submit(Csr(newKey, "app02"), "WebServerApproval", NoAttributes).Status.Should().Be(SubmitStatus.Pending, "an unsigned request is a new enrollment");

            using var otherKey = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var issuedElsewhere = _ca.Submit(Csr(otherKey, "plain"), "WebServer", NoAttributes).Certificate!;
            _ca.Submit(SignedRenewalRequest.Sign(Csr(newKey, "app03"), issuedElsewhere, otherKey), "WebServerApproval", NoAttributes)
                .Status.Should().Be(SubmitStatus.Pending, "the signer was issued from another template");

            _ca.Revoke(CertificateReader.Read(old).SerialNumber, RevocationReason.KeyCompromise, null);
            _ca.Submit(SignedRenewalRequest.Sign(Csr(newKey, "app02"), old, oldKey), "WebServerApproval", NoAttributes)
                .Status.Should().Be(SubmitStatus.Pending, "a revoked certificate vouches for nothing");
            oldKey.Dispose();
        }

        [Fact]
        public void A_renewal_whose_signature_does_not_verify_is_refused()
        {
            var (old, oldKey) = Approved("app04");
            using var stranger = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            // Signed with a key that is not the certificate's: the signature cannot verify with the certificate it names.
            var forged = SignedRenewalRequest.Sign(Csr(stranger, "app04"), old, stranger);

            var act = () => _ca.Submit(forged, "WebServerApproval", NoAttributes);

            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("InvalidRenewalRequest");
            SignedRenewalRequest.IsSignedData(Csr(stranger, "x")).Should().BeFalse();
            SignedRenewalRequest.IsSignedData(SignedRenewalRequest.Sign(Csr(stranger, "x"), old, oldKey)).Should().BeTrue();
            oldKey.Dispose();
        }
    }
}
