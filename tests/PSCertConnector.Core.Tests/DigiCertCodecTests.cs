using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.DigiCert;
using Xunit;

namespace PSCertConnector.Tests
{
    /// <summary>DigiCert's codes on the samples in Samples/digicert (see its README for their sources).</summary>
    public sealed class DigiCertCodecTests
    {
        private static JsonElement Sample(string name) =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "digicert", name))).RootElement.Clone();

        [Theory]
        [InlineData("issued", SubmitStatus.Issued)]
        [InlineData("approved", SubmitStatus.Issued)]
        [InlineData("expired", SubmitStatus.Issued)]
        [InlineData("pending", SubmitStatus.Pending)]
        [InlineData("processing", SubmitStatus.Pending)]
        [InlineData("needs_approval", SubmitStatus.Pending)]
        [InlineData("waiting_pickup", SubmitStatus.Pending)]
        [InlineData("reissue_pending", SubmitStatus.Pending)]
        [InlineData("rejected", SubmitStatus.Denied)]
        [InlineData("denied", SubmitStatus.Denied)]
        [InlineData("canceled", SubmitStatus.Denied)]
        [InlineData("revoked", SubmitStatus.Revoked)]
        public void CertCentral_order_statuses_map_to_ours(string status, SubmitStatus expected) =>
            CertCentralConnector.MapStatus(status).Should().Be(expected);

        [Fact]
        public void An_unknown_order_status_is_an_error_not_a_guess() =>
            FluentActions.Invoking(() => CertCentralConnector.MapStatus("teleported")).Should().Throw<PscException>().Which.ErrorId.Should().Be("UnknownOrderStatus");

        [Fact]
        public void Both_error_shapes_give_code_and_message()
        {
            var single = DigiCertJsonChannel.ReadError(Sample("mpki-error-single.json"));
            single.Code.Should().Be("no_access");
            single.Message.Should().Contain("Business unit");
            var list = DigiCertJsonChannel.ReadError(Sample("mpki-error-list.json"));
            list.Code.Should().NotBeNullOrEmpty();
            list.Message.Should().NotBeNullOrEmpty();
            DigiCertJsonChannel.ReadError(Sample("certcentral-error.json")).Code.Should().Be("not_found|order");
            DigiCertJsonChannel.ReadError(JsonDocument.Parse("[1,2]").RootElement).Code.Should().BeNull();
        }

        [Theory]
        [InlineData("key_compromise", RevocationReason.KeyCompromise)]
        [InlineData("keyCompromise", RevocationReason.KeyCompromise)]
        [InlineData("cessation_of_operation", RevocationReason.CessationOfOperation)]
        [InlineData("certificate_hold", RevocationReason.CertificateHold)]
        [InlineData("privilege_withdrawn", RevocationReason.PrivilegeWithdrawn)]
        [InlineData("aa_compromise", RevocationReason.AACompromise)]
        public void Revocation_reasons_read_both_spellings_and_write_snake_case(string text, RevocationReason reason)
        {
            DigiCertReasons.Parse(text).Should().Be(reason);
            DigiCertReasons.Parse(DigiCertReasons.SnakeCase(reason)).Should().Be(reason);
        }

        [Fact]
        public void Required_fields_of_the_wrong_type_are_named()
        {
            var page = JsonDocument.Parse("{\"total\":\"3\",\"items\":[]}").RootElement;
            FluentActions.Invoking(() => DigiCertJsonChannel.Require(page, "total", JsonValueKind.Number, "search page"))
                .Should().Throw<PscException>().Which.Message.Should().Contain("'total'").And.Contain("string");
            DigiCertJsonChannel.Require(Sample("mpki-search-page.json"), "items", JsonValueKind.Array, "search page").GetArrayLength().Should().Be(2);
        }
    }
}
