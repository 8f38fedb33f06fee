using System.Diagnostics;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// The machine home with real Unix accounts: root makes it and configures it, a member of its group (the account a
    /// timer runs the maintenance as) uses it, another account cannot, and making one without root fails saying why.
    /// The accounts and group are made for the test and removed after it; this needs root, as CI runs.
    /// </summary>
    [Collection("cli")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public sealed class MachineHomeTests : IDisposable
    {
        private static readonly TimeSpan ChildLimit = TimeSpan.FromSeconds(90);
        private readonly string _suffix = Guid.NewGuid().ToString("N").Substring(0, 6);
        private readonly string _home;
        private string Group => "psctest" + _suffix;
        private string Member => "pscm" + _suffix;
        private string Outsider => "psco" + _suffix;

        public MachineHomeTests()
        {
            Environment.UserName.Should().Be("root", "making accounts and a machine home needs root (CI runs as root)");
            _home = Path.Combine(Path.GetTempPath(), "psc-machine-" + _suffix);
            Run("groupadd", Group);
            Run("useradd", "-M", "-r", "-s", "/usr/sbin/nologin", "-G", Group, Member);
            Run("useradd", "-M", "-r", "-s", "/usr/sbin/nologin", Outsider);
        }

        public void Dispose()
        {
            foreach (var user in new[] { Member, Outsider }) Process.Start("userdel", user)!.WaitForExit();
            Process.Start("groupdel", Group)!.WaitForExit();
            if (Directory.Exists(_home)) Directory.Delete(_home, recursive: true);
        }

        private static void Run(string program, params string[] args)
        {
            var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            var (exit, output) = ProcessRunner.Run(start, ChildLimit);
            exit.Should().Be(0, $"{program} {string.Join(" ", args)}: {output}");
        }

        /// <summary>certconnector as another account (runuser), with a scratch HOME for the .NET host.</summary>
        private (int Exit, string Output) As(string user, params string[] args)
        {
            var start = new ProcessStartInfo("runuser") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-u", user, "--", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "DOTNET_NOLOGO=1", "dotnet", typeof(PSCertConnector.Cli.Program).Assembly.Location })
                start.ArgumentList.Add(arg);
            foreach (var arg in args) start.ArgumentList.Add(arg);
            return ProcessRunner.Run(start, ChildLimit);
        }

        private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

        [Fact]
        public void Root_makes_it_a_member_of_its_group_runs_the_maintenance_and_others_cannot_read_it()
        {
            var made = InProcessCli.Run(_home, "home", "create", "--machine", "--path", _home, "--group", Group);
            made.Exit.Should().Be(0, made.Err);
            InProcessCli.Run(_home, "connector", "add", "--name", "ca", "--type", "local").Exit.Should().Be(0);

            File.ReadAllText(Path.Combine(_home, "scope.json")).Should().Contain("machine").And.Contain(Group);
            Mode(_home).Should().Be("2770");
            Mode(Path.Combine(_home, "keys", "secret.key")).Should().Be("640", "members read the key and nobody replaces it");
            Mode(Path.Combine(_home, "inventory.db")).Should().Be("660");
            Mode(Path.Combine(_home, "ca", "ca")).Should().Be("2770");

            var pass = As(Member, "maintain", "--once", "--json", "--home", _home);
            pass.Exit.Should().Be(0, pass.Output);
            pass.Output.Should().Contain("\"imports\": 1", "the member's pass imported the connector root configured");
            var listed = As(Member, "connector", "list", "--json", "--home", _home);
            listed.Exit.Should().Be(0, listed.Output);

            var refused = As(Outsider, "connector", "list", "--home", _home);
            refused.Exit.Should().NotBe(0);
            refused.Output.Should().Contain("error:").And.NotContain("   at ", "a clear error, never a stack trace");
        }

        [Fact]
        public void Without_root_making_a_machine_home_fails_saying_why_and_leaves_nothing()
        {
            var attempt = As(Member, "home", "create", "--machine", "--path", _home, "--group", Group);
            attempt.Exit.Should().NotBe(0);
            attempt.Output.Should().Contain("[ElevationRequired]").And.Contain("root");
            Directory.Exists(_home).Should().BeFalse();
        }
    }
}
