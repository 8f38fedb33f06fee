using FluentAssertions;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Store;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    public sealed class ConnectorRegistryTests
    {
        [Fact]
        public void Each_family_folder_brings_its_connector_types_without_a_central_list()
        {
            ConnectorRegistry.CreateDefault().Types.Select(t => t.Name)
                .Should().Equal("adcs-ces", "adcs-dcom", "adcs-ndes", "adcs-web", "digicert-certcentral", "digicert-one", "local", "scep");
        }

        [Fact]
        public void A_connector_stored_with_the_retired_labAdmin_setting_says_what_to_do_instead()
        {
            var type = ConnectorRegistry.CreateDefault().Get("adcs-ces");
            var definition = new ConnectorDefinition
            {
                Name = "lab", Type = "adcs-ces", Settings = new Dictionary<string, string> { ["host"] = "localhost", ["labAdmin"] = "true" },
            };
            var ex = FluentActions.Invoking(() => type.Validate(definition)).Should().Throw<PscException>().Which;
            ex.ErrorId.Should().Be("RetiredSetting");
            ex.Target.Should().Be("labAdmin");
            ex.Message.Should().Contain("/lab/admin/requests/<id>/approve").And.Contain("--setting labAdmin=");
        }

        [Theory]
        [InlineData("local")]
        [InlineData("adcs-ces")]
        [InlineData("adcs-dcom")]
        [InlineData("digicert-one")]
        public void Every_type_refuses_a_setting_it_does_not_declare_in_the_same_words(string typeName)
        {
            var type = ConnectorRegistry.CreateDefault().Get(typeName);
            var definition = new ConnectorDefinition { Name = "x", Type = typeName, Settings = new Dictionary<string, string> { ["colour"] = "blue" } };
            var ex = FluentActions.Invoking(() => type.Validate(definition)).Should().Throw<PscException>().Which;
            ex.ErrorId.Should().Be("UnknownSetting");
            ex.Target.Should().Be("colour");
            ex.Message.Should().StartWith($"The setting 'colour' does not apply to {(typeName.StartsWith("a") ? "an" : "a")} '{typeName}' connector. Known settings: ");
        }
    }
}
