using System.Diagnostics;
using FluentAssertions;
using PSCertConnector.Cli;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>What certconnector writes into its home is its owner's alone, even under a umask that would share it.</summary>
    public sealed class FilePermissionTests : IDisposable
    {
        private readonly TempHome _home = new();

        public void Dispose() => _home.Dispose();

        [Fact]
        public void Under_umask_000_the_home_keys_databases_and_CA_files_are_the_owners_only()
        {
            if (OperatingSystem.IsWindows()) return; // the profile's ACLs apply there
            var home = Path.Combine(_home.Path, "home");
            var cli = typeof(Program).Assembly.Location;
            var start = new ProcessStartInfo("bash");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"umask 000 && dotnet '{cli}' connector add --name lab --type local --setting keyAlgorithm=ECDSA_P256 --home '{home}'" +
                $" && dotnet '{cli}' request new --subject CN=perm.contoso.com --key-algorithm ECDSA_P256 --out '{home}.csr' --home '{home}'" +
                $" && dotnet '{cli}' submit --connector lab --template WebServer --csr '{home}.csr' --home '{home}'");
            var (exit, output) = ProcessRunner.Run(start, TimeSpan.FromSeconds(120));
            exit.Should().Be(0, output);

            var shared = new List<string>();
            foreach (var entry in Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories).Prepend(home))
            {
                var mode = File.GetUnixFileMode(entry);
                var others = mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                     | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
                if (others != 0) shared.Add($"{Path.GetRelativePath(home, entry)} ({mode})");
            }
            shared.Should().BeEmpty("nothing in the home may be readable or writable by others");
            Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories).Should().Contain(f => f.EndsWith("inventory.db"))
                .And.Contain(f => f.EndsWith("ca.db")).And.Contain(f => f.EndsWith("issuing.key.protected")).And.Contain(f => f.EndsWith(".crl"));
        }
    }
}
