using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using PSCertConnector.Cli;
using PSCertConnector.Cli.Commands;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>What the command list promises: its help, the options each command takes, and a CLI that starts without ASP.NET Core.</summary>
    [Collection("cli")] // the CLI reads PSCERTCONNECTOR_HOME from the process environment
    public sealed class CliCommandTests : IDisposable
    {
        private readonly TempHome _home = new();

        public void Dispose() => _home.Dispose();

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        /// <summary>The commands 'certconnector --help' lists.</summary>
        private List<string> ListedCommands()
        {
            var overview = Cli("--help").Out;
            var names = CommandRegistry.All.Select(c => c.Name).Where(n => overview.Contains($"  {n} ")).ToList();
            names.Should().HaveCount(CommandRegistry.All.Count, "the overview lists every command");
            return names;
        }

        [Fact]
        public void Every_option_a_commands_help_lists_is_accepted_and_nothing_else()
        {
            foreach (var command in ListedCommands())
            {
                var words = command.Split(' ');
                var help = Cli(words.Append("--help").ToArray());
                help.Exit.Should().Be(0);
                help.Out.Should().StartWith($"certconnector {command}: ");
                var listed = Regex.Matches(help.Out, @"^  --([a-z][a-z-]*) ", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
                listed.Should().BeEquivalentTo(CommandRegistry.Find(command)!.Options.Select(o => o.Name), $"'{command} --help' shows what it declares");

                // The unknown-option check names every option it refuses, before the command runs: here only the made-up one.
                foreach (var option in listed)
                {
                    var result = Cli(words.Concat(new[] { "--zz-not-an-option", "1", "--" + option, "value" }).ToArray());
                    result.Exit.Should().Be(2, $"{command} --{option}");
                    result.Err.Trim().Should().Be($"error: '{command}' does not take --zz-not-an-option. See 'certconnector {command} --help'. [Usage]",
                        $"'{command}' accepts --{option}, which its help lists");
                }
            }
        }

        [Fact]
        public void An_option_takes_a_value_in_every_command_or_in_none()
        {
            // Options are read before the command's words are known, so one spelling has one shape everywhere.
            var shapes = CommandRegistry.All.SelectMany(c => c.Options).Concat(CommandRegistry.Global).GroupBy(o => o.Name);
            shapes.Where(g => g.Select(o => o.IsFlag).Distinct().Count() > 1).Select(g => g.Key).Should().BeEmpty();
        }

        [Theory]
        [InlineData("refresh")]
        [InlineData("fetch")]
        [InlineData("approve")]
        [InlineData("remove")]
        public void Order_commands_take_the_ca_request_id_their_help_lists(string verb)
        {
            Cli("connector", "add", "--name", "lab", "--type", "local").Exit.Should().Be(0);
            var result = Cli("order", verb, "--connector", "lab", "--request-id", "41", "--yes");
            result.Exit.Should().Be(1);
            result.Err.Should().Contain("No order for request 41 on connector 'lab' is tracked in the inventory. [OrderNotFound]");
        }

        [Fact]
        public void Intune_options_without_a_subject_format_are_refused_by_name()
        {
            var one = Cli("request", "new", "--subject", "CN=alice", "--email", "alice@contoso.com");
            one.Exit.Should().Be(2);
            one.Err.Trim().Should().Be("error: --email belongs to the Intune rules: add --intune cn|cn-email|cn-as-email. [Usage]");
            var two = Cli("request", "new", "--subject", "CN=alice", "--upn", "alice@contoso.com", "--no-email-san");
            two.Err.Trim().Should().Be("error: --upn and --no-email-san belong to the Intune rules: add --intune cn|cn-email|cn-as-email. [Usage]");
        }

        [Fact]
        public void Certconnector_runs_on_the_dotnet_runtime_alone()
        {
            var folder = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
            using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "certconnector.runtimeconfig.json")));
            var options = config.RootElement.GetProperty("runtimeOptions");
            var frameworks = options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray().ToList() : new List<JsonElement> { options.GetProperty("framework") };
            frameworks.Select(f => f.GetProperty("name").GetString()).Should().Equal("Microsoft.NETCore.App");
            File.ReadAllText(Path.Combine(folder, "certconnector.deps.json")).Should().NotContain("PSCertConnector.Lab").And.NotContain("AspNetCore");
        }

        [Fact]
        public void Lab_serve_without_certconnector_lab_beside_it_says_what_to_build()
        {
            // certconnector as installed without the Lab: its own files, none of certconnector-lab's.
            var built = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
            var alone = _home.File("cli-alone");
            foreach (var file in Directory.EnumerateFiles(built, "*", SearchOption.AllDirectories)
                         .Where(f => !Path.GetFileName(f).StartsWith(LabServeCommand.HostName, StringComparison.Ordinal)))
            {
                var target = Path.Combine(alone, Path.GetRelativePath(built, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(alone, "certconnector.dll"), "lab", "serve", "--port", "0", "--password-env", "PATH", "--home", _home.Path })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit(60000).Should().BeTrue();
            process.ExitCode.Should().Be(1);
            stderr.Trim().Should().StartWith("error: 'lab serve' runs certconnector-lab, which is not beside certconnector")
                .And.EndWith("[LabNotInstalled]").And.Contain("dotnet build").And.NotContain("\n");
        }
    }
}
