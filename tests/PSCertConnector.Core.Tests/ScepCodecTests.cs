using System.Net;
using System.Text;
using FluentAssertions;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>
    /// The SCEP message codec on its own (RFC 8894 §3): what one side seals the other opens, a tampered or foreign
    /// message is refused by name, and OpenSSL reads what we seal as CMS. The NDES admin page reader, too.
    /// </summary>
    public sealed class ScepCodecTests
    {
        private static (AsymmetricKey Key, byte[] Certificate) Party(string subject)
        {
            var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            return (key, ScepCodec.RequesterCertificate(key, subject));
        }

        [Theory]
        [InlineData(ScepAlgorithms.Aes128Cbc, SignatureHash.Sha256)]
        [InlineData(ScepAlgorithms.DesEde3Cbc, SignatureHash.Sha1)]
        public void A_sealed_request_opens_on_the_other_side_with_its_attributes_and_content(string encryption, SignatureHash hash)
        {
            var (clientKey, clientCert) = Party("CN=device");
            var (raKey, raCert) = Party("CN=RA");
            using (clientKey) using (raKey)
            {
                var nonce = ScepCodec.NewNonce();
                var sealedMessage = ScepCodec.Seal(ScepMessageType.PKCSReq, "tx-1", nonce, null, null, null, Encoding.ASCII.GetBytes("the request"),
                    new[] { raCert }, clientCert, clientKey, new ScepAlgorithms(encryption, hash));

                var opened = ScepCodec.Open(sealedMessage, null, "request");
                opened.MessageType.Should().Be(ScepMessageType.PKCSReq);
                opened.TransactionId.Should().Be("tx-1");
                opened.SenderNonce.Should().Equal(nonce);
                opened.SignerCertificate.Should().Equal(clientCert);
                ScepCodec.HashOf(opened.DigestOid).Should().Be(hash);
                var (content, used) = ScepCodec.Decrypt(opened, raKey, raCert, "request");
                Encoding.ASCII.GetString(content).Should().Be("the request");
                used.Should().Be(encryption);
            }
        }

        [Fact]
        public void A_failure_answer_carries_status_and_fail_info_and_no_envelope()
        {
            var (raKey, raCert) = Party("CN=RA");
            using (raKey)
            {
                var answer = ScepCodec.Seal(ScepMessageType.CertRep, "tx-2", ScepCodec.NewNonce(), new byte[] { 1, 2, 3 }, ScepPkiStatus.Failure, ScepFailInfo.BadRequest,
                    null, Array.Empty<byte[]>(), raCert, raKey, ScepAlgorithms.Modern);
                var opened = ScepCodec.Open(answer, new[] { raCert }, "answer");
                opened.Status.Should().Be(ScepPkiStatus.Failure);
                opened.FailInfo.Should().Be(ScepFailInfo.BadRequest);
                opened.RecipientNonce.Should().Equal(1, 2, 3);
                opened.Envelope.Should().BeNull();
            }
        }

        [Fact]
        public void An_answer_signed_by_anyone_but_the_servers_ra_or_ca_is_refused()
        {
            var (raKey, raCert) = Party("CN=RA");
            var (impostorKey, impostorCert) = Party("CN=RA");
            using (raKey) using (impostorKey)
            {
                var forged = ScepCodec.Seal(ScepMessageType.CertRep, "tx", ScepCodec.NewNonce(), null, ScepPkiStatus.Pending, null, null,
                    Array.Empty<byte[]>(), impostorCert, impostorKey, ScepAlgorithms.Modern);
                var act = () => ScepCodec.Open(forged, new[] { raCert }, "answer from ndes01");
                act.Should().Throw<PscException>().Which.Message.Should().Contain("not signed by the server's RA or CA certificate");
            }
        }

        [Fact]
        public void A_message_altered_after_signing_does_not_verify()
        {
            var (key, cert) = Party("CN=device");
            using (key)
            {
                var message = ScepCodec.Seal(ScepMessageType.PKCSReq, "tx-tamper", ScepCodec.NewNonce(), null, null, null, new byte[64],
                    new[] { cert }, cert, key, ScepAlgorithms.Modern);
                var index = FindLast(message, Encoding.ASCII.GetBytes("tx-tamper"));
                message[index] = (byte)'X';
                var act = () => ScepCodec.Open(message, null, "request");
                act.Should().Throw<PscException>().Which.ErrorId.Should().Be("ScepMessageInvalid");
            }
        }

        [Fact]
        public void An_envelope_for_someone_else_is_refused_without_garbage()
        {
            var (clientKey, clientCert) = Party("CN=device");
            var (raKey, raCert) = Party("CN=RA");
            var (otherKey, otherCert) = Party("CN=other");
            using (clientKey) using (raKey) using (otherKey)
            {
                var message = ScepCodec.Open(ScepCodec.Seal(ScepMessageType.PKCSReq, "tx", ScepCodec.NewNonce(), null, null, null, new byte[16],
                    new[] { otherCert }, clientCert, clientKey, ScepAlgorithms.Modern), null, "request");
                var act = () => ScepCodec.Decrypt(message, raKey, raCert, "request");
                act.Should().Throw<PscException>().Which.Message.Should().Contain("not encrypted to this party's certificate");
            }
        }

        [Fact]
        public void Garbage_is_a_named_error_not_a_crash()
        {
            foreach (var input in new[] { Array.Empty<byte>(), new byte[] { 0x30, 0x03, 0x02, 0x01 }, Encoding.ASCII.GetBytes("<html>not scep</html>") })
                FluentActions.Invoking(() => ScepCodec.Open(input, null, "request")).Should().Throw<PscException>().Which.ErrorId.Should().Be("ScepMessageInvalid");
        }

        [Fact]
        public void An_ec_key_is_refused_because_the_answer_could_not_be_encrypted_to_it()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var certificate = ScepCodec.RequesterCertificate(key, "CN=ec");
            var act = () => ScepCodec.Seal(ScepMessageType.PKCSReq, "tx", ScepCodec.NewNonce(), null, null, null, new byte[1], new[] { certificate }, certificate, key, ScepAlgorithms.Modern);
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("ScepNeedsRsa");
        }

        [Fact]
        public void The_challenge_is_added_to_a_request_that_still_verifies_and_shows_nowhere_else()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=device" }, key);
            CsrParser.ChallengePassword(csr).Should().BeNull();
            var withChallenge = CsrBuilder.WithChallengePassword(csr, "A1B2C3D4E5F60718", key);
            CsrParser.ChallengePassword(withChallenge).Should().Be("A1B2C3D4E5F60718");
            var info = CsrParser.Parse(withChallenge); // the signature is checked here
            info.Subject.Should().Be("CN=device");
            CsrParser.ChallengePassword(CsrBuilder.WithChallengePassword(withChallenge, "second", key)).Should().Be("second", "a challenge is replaced, not added twice");
        }

        [Fact]
        public void Capabilities_choose_aes_and_sha256_where_offered_and_fall_back_as_the_rfc_says()
        {
            ScepCapabilities.Parse("POSTPKIOperation\r\nSHA-256\r\nAES\r\n").Algorithms.Should().Be(ScepAlgorithms.Modern);
            ScepCapabilities.Parse("SCEPStandard\n").Post.Should().BeTrue();
            ScepCapabilities.Parse("SCEPStandard\n").Algorithms.Should().Be(ScepAlgorithms.Modern);
            var legacy = ScepCapabilities.Parse("DES3\nSHA-1\n");
            legacy.Post.Should().BeFalse();
            legacy.Algorithms.Should().Be(new ScepAlgorithms(ScepAlgorithms.DesEde3Cbc, SignatureHash.Sha1));
        }

        private static HttpReply Page(string html, bool utf16) => new HttpReply(HttpStatusCode.OK, "text/html",
            utf16 ? Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(html)).ToArray() : Encoding.UTF8.GetBytes(html), new Uri("https://ndes01.contoso.com/certsrv/mscep_admin/"));

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void The_ndes_admin_page_gives_its_challenge_in_utf16_or_utf8(bool utf16)
        {
            var html = "<P> The thumbprint (hash value) for the CA certificate is: <B> 3B8D0F5AF6A0C8E5D1A9A4BD0C1B7A8E </B> <P> The enrollment challenge password is: <B> 9F8E7D6C5B4A3F2E </B>";
            Connectors.Adcs.NdesChallengePage.Read(Page(html, utf16), "ndes").Should().Be("9F8E7D6C5B4A3F2E");
        }

        [Fact]
        public void The_ndes_admin_pages_refusals_are_named()
        {
            FluentActions.Invoking(() => Connectors.Adcs.NdesChallengePage.Read(Page("<P> The password cache is full. </P>", true), "ndes"))
                .Should().Throw<PscException>().Which.ErrorId.Should().Be("NdesPasswordCacheFull");
            FluentActions.Invoking(() => Connectors.Adcs.NdesChallengePage.Read(Page("You do not have sufficient permission to enroll with SCEP.", true), "ndes"))
                .Should().Throw<PscException>().Which.ErrorId.Should().Be("NdesPermissionDenied");
            FluentActions.Invoking(() => Connectors.Adcs.NdesChallengePage.Read(Page("<title>IIS Windows Server</title>", false), "ndes"))
                .Should().Throw<PscException>().Which.ErrorId.Should().Be("NdesChallengeNotFound");
        }

        private static int FindLast(byte[] haystack, byte[] needle)
        {
            for (int i = haystack.Length - needle.Length; i >= 0; i--)
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
            throw new InvalidOperationException("not found");
        }
    }
}
