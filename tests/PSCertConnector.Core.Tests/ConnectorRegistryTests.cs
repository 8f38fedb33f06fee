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
                .Should().Equal("adcs-ces", "adcs-dcom", "adcs-web", "digicert-certcentral", "digicert-one", "local");
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
