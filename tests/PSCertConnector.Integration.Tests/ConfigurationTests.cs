using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>config export and import through certconnector: from one home to another, without secrets, twice is a no-op.</summary>
    [Collection("cli")]
    public sealed class ConfigurationTests : IDisposable
    {
        private readonly TempHome _source = new();
        private readonly TempHome _target = new();

        public void Dispose()
        {
            _source.Dispose();
            _target.Dispose();
        }

        private static (int Exit, string Out, string Err) Cli(TempHome home, params string[] args) => InProcessCli.Run(home.Path, args);

        [Fact]
        public void A_configuration_exported_without_secrets_applies_on_another_home_and_a_second_import_changes_nothing()
        {
            Environment.SetEnvironmentVariable("PSC_TEST_CES_PASSWORD", "Pa55-word-for-ces");
            Environment.SetEnvironmentVariable("PSC_TEST_HOOK", "https://hooks.contoso.com/services/T0/B0/very-secret-token");
            Cli(_source, "connector", "add", "--name", "ca", "--type", "local", "--tag", "lab", "--import-every", "2h", "--setting", "renewBeforeDays=20").Exit.Should().Be(0);
            var ces = Cli(_source, "connector", "add", "--name", "corp-ces", "--type", "adcs-ces", "--priority", "2", "--business-unit", "Finance",
                "--setting", "host=127.0.0.1", "--setting", "caName=Contoso Issuing CA", "--setting", "user=CONTOSO\\svc-pki", "--setting", "autoRenew=false",
                "--secret-env", "PSC_TEST_CES_PASSWORD");
            ces.Exit.Should().Be(0, ces.Err);
            Cli(_source, "notify", "add", "--name", "teams", "--channel", "webhook", "--url-env", "PSC_TEST_HOOK", "--pending-hours", "4", "--digest").Exit.Should().Be(0);
            Cli(_source, "notify", "add", "--name", "mail", "--channel", "smtp", "--smtp-server", "smtp.contoso.com:587", "--from", "pki@contoso.com",
                "--to", "a@contoso.com,b@contoso.com", "--expiring-days", "30,7", "--connector", "ca").Exit.Should().Be(0);

            var file = _source.File("config.json");
            var export = Cli(_source, "config", "export", "--out", file);
            export.Exit.Should().Be(0, export.Err);
            var json = File.ReadAllText(file);
            json.Should().NotContain("Pa55-word-for-ces").And.NotContain("very-secret-token");
            var document = JsonDocument.Parse(json).RootElement;
            var exported = document.GetProperty("connectors").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
            exported["corp-ces"].GetProperty("secret").GetProperty("env").GetString().Should().Be("PSC_SECRET_CORP_CES");
            exported["ca"].GetProperty("settings").TryGetProperty("path", out _).Should().BeFalse("the embedded CA's folder in this home is filled in by the importing host");
            exported["ca"].GetProperty("importEvery").GetInt32().Should().Be(2);
            document.GetProperty("notificationRules").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "teams")
                .GetProperty("secret").GetProperty("env").GetString().Should().Be("PSC_SECRET_TEAMS");

            var missing = Cli(_target, "config", "import", "--file", file);
            missing.Exit.Should().Be(1, "the secrets are not set on the target yet");
            missing.Err.Should().Contain("[SecretNotSet]").And.Contain("PSC_SECRET_CORP_CES");
            Environment.SetEnvironmentVariable("PSC_SECRET_CORP_CES", "Pa55-word-for-ces");
            Environment.SetEnvironmentVariable("PSC_SECRET_TEAMS", "https://hooks.contoso.com/services/T0/B0/very-secret-token");
            var applied = InProcessCli.Json(_target.Path, "config", "import", "--file", file);
            applied.EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("action").GetString()}")
                .Should().BeEquivalentTo(new[] { "corp-ces:added", "teams:added", "mail:unchanged", "ca:unchanged" }, "the second import adds what the first could not, and leaves what it applied");

            var again = InProcessCli.Json(_target.Path, "config", "import", "--file", file);
            again.EnumerateArray().Select(c => c.GetProperty("action").GetString()).Should().OnlyContain(a => a == "unchanged");
            var target = InProcessCli.Json(_target.Path, "connector", "show", "corp-ces");
            target.GetProperty("businessUnit").GetString().Should().Be("Finance");
            target.GetProperty("hasSecret").GetBoolean().Should().BeTrue();
            target.GetProperty("settings").GetProperty("autoRenew").GetString().Should().Be("false");
            Path.GetDirectoryName(InProcessCli.Json(_target.Path, "connector", "show", "ca").GetProperty("settings").GetProperty("path").GetString()!)
                .Should().StartWith(_target.Path, "the embedded CA lives in the importing home");

            var edited = json.Replace("\"renewBeforeDays\": \"20\"", "\"renewBeforeDays\": \"45\"");
            File.WriteAllText(file, edited);
            InProcessCli.Json(_target.Path, "config", "import", "--file", file).EnumerateArray()
                .Single(c => c.GetProperty("name").GetString() == "ca").GetProperty("action").GetString().Should().Be("updated");
            InProcessCli.Json(_target.Path, "connector", "show", "ca").GetProperty("settings").GetProperty("renewBeforeDays").GetString().Should().Be("45");
        }

        [Fact]
        public void A_document_with_a_wrong_field_is_refused_whole_naming_the_field()
        {
            var file = _target.File("bad.json");
            File.WriteAllText(file, "{ \"version\": 1, \"connectors\": [ { \"name\": \"x\", \"type\": \"local\", \"priority\": \"high\" } ] }");
            var run = Cli(_target, "config", "import", "--file", file);
            run.Exit.Should().NotBe(0);
            run.Err.Should().Contain("[InvalidConfiguration]").And.Contain("connectors[0].priority");
            File.WriteAllText(file, "{ \"version\": 1, \"connectors\": [ { \"name\": \"x\" } ] }");
            Cli(_target, "config", "import", "--file", file).Err.Should().Contain("connectors[0].type");
            File.WriteAllText(file, "{ \"version\": 1, \"connectors\": [ { \"name\": \"x\", \"type\": \"local\", \"settings\": null } ], \"notificationRules\": null }");
            var nulls = Cli(_target, "config", "import", "--file", file);
            nulls.Err.Should().Contain("[InvalidConfiguration]").And.NotContain("   at ");
            InProcessCli.Json(_target.Path, "connector", "list").GetArrayLength().Should().Be(0, "nothing was applied");
        }
    }
}
