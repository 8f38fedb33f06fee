using System.Diagnostics;
using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// How the platform runs the pass: the systemd units certconnector writes, their ExecStart run as systemd would run
    /// it (its Environment= lines, no shell) since this machine has no systemd; and 'maintain --service' as a real
    /// process that passes on a timer and stops cleanly on SIGTERM.
    /// </summary>
    [Collection("cli")]
    public sealed class MaintenanceScheduleTests : IDisposable
    {
        private static readonly TimeSpan ChildLimit = TimeSpan.FromSeconds(90);
        private readonly TempHome _home = new();

        public MaintenanceScheduleTests()
        {
            Cli("connector", "add", "--name", "ca", "--type", "local").Exit.Should().Be(0);
        }

        public void Dispose() => _home.Dispose();

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        private JsonElement Events(params string[] filters) => InProcessCli.Json(_home.Path, new[] { "events" }.Concat(filters).ToArray());

        [Fact]
        public void The_timer_unit_runs_one_pass_for_the_home_through_the_command_its_service_names()
        {
            var units = _home.File("units");
            Cli("maintain", "--install-systemd", "--unit-folder", units).Err.Should().Contain("[RunAsRequired]", "a system unit names the account it runs as");
            Cli("maintain", "--install-systemd", "--unit-folder", units, "--run-as", "root", "--pfx-password-env", "X").Err.Should().Contain("--pfx-password-file");
            var pfxPassword = _home.File("pfx.pw");
            File.WriteAllText(pfxPassword, "unused");
            var install = Cli("maintain", "--install-systemd", "--unit-folder", units, "--every-minutes", "10", "--run-as", "root", "--pfx-password-file", pfxPassword);
            install.Exit.Should().Be(0, install.Err);
            install.Err.Should().Contain("is a user's home", "a system unit on a user's home is warned about");
            install.Err.Should().Contain("systemctl daemon-reload && systemctl enable --now certconnector-maintain.timer");
            var service = File.ReadAllLines(Path.Combine(units, "certconnector-maintain.service"));
            var timer = File.ReadAllText(Path.Combine(units, "certconnector-maintain.timer"));
            timer.Should().Contain("OnUnitActiveSec=10min").And.Contain("Persistent=true").And.Contain("WantedBy=timers.target");
            service.Should().Contain("Type=oneshot").And.Contain("User=root");

            // What systemd does with the unit: the Environment= assignments, then ExecStart's words as one program and its arguments.
            var exec = SystemdWords(service.Single(l => l.StartsWith("ExecStart=")).Substring("ExecStart=".Length));
            exec.Skip(exec.Count - 4).Should().Equal("maintain", "--once", "--pfx-password-file", pfxPassword);
            var start = new ProcessStartInfo(exec[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var word in exec.Skip(1)) start.ArgumentList.Add(word);
            foreach (var line in service.Where(l => l.StartsWith("Environment=")))
            {
                var assignment = SystemdWords(line.Substring("Environment=".Length)).Single().Split('=', 2);
                start.Environment[assignment[0]] = assignment[1];
            }
            start.Environment["PSCERTCONNECTOR_HOME"].Should().Be(_home.Path, "the unit names the home it was written for");
            var (exit, output) = ProcessRunner.Run(start, ChildLimit);
            exit.Should().Be(0, output);
            output.Should().Contain("Imports");

            var passes = Events("--id", "7002").EnumerateArray().ToList();
            passes.Should().ContainSingle("the unit's command ran one pass on this home");
            Events("--id", "2001").EnumerateArray().Should().ContainSingle("the connector's first import was due");
        }

        [Fact]
        public void The_service_passes_at_once_and_on_its_interval_and_stops_cleanly_on_SIGTERM()
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { CliAssembly, "maintain", "--service", "--every-minutes", "1", "--home", _home.Path }) start.ArgumentList.Add(arg);
            using var service = Process.Start(start)!;
            var log = new System.Text.StringBuilder();
            service.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            service.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            service.BeginOutputReadLine();
            service.BeginErrorReadLine();
            try
            {
                WaitFor(() => Events("--id", "7002").GetArrayLength() >= 1, "the first pass");
                Events("--id", "7003").EnumerateArray().Should().ContainSingle().Which.GetProperty("log").GetString().Should().Be("admin");
            }
            finally
            {
                if (!service.HasExited) Process.Start("kill", $"-TERM {service.Id}")!.WaitForExit();
                service.WaitForExit((int)ChildLimit.TotalMilliseconds).Should().BeTrue("SIGTERM stops the service");
            }
            service.WaitForExit(); // the redirected output is read to its end
            service.ExitCode.Should().Be(0, log.ToString());
            lock (log) log.ToString().Should().Contain("7002").And.Contain("Maintenance pass on", "each event is also logged (to the journal under systemd)");
            Events("--id", "7004").EnumerateArray().Should().ContainSingle().Which.GetProperty("message").GetString().Should().Contain("stopped after 1 passes");
        }

        [Fact]
        public void Under_systemd_each_event_reaches_the_journal_with_its_priority()
        {
            Environment.SetEnvironmentVariable("JOURNAL_STREAM", "8:12345"); // what systemd sets for a unit whose output is the journal
            try
            {
                var pass = Cli("maintain", "--once");
                pass.Exit.Should().Be(0, pass.Err);
                pass.Err.Should().MatchRegex(@"(?m)^<6>7001 Operational: A maintenance pass started").And.MatchRegex(@"(?m)^<6>2001 Admin: Imported from 'ca'");
            }
            finally { Environment.SetEnvironmentVariable("JOURNAL_STREAM", null); }
            Cli("maintain", "--once").Err.Should().NotContain("<6>", "outside systemd nothing but errors goes to standard error");
        }

        private static void WaitFor(Func<bool> condition, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                if (watch.Elapsed > ChildLimit) throw new TimeoutException("Waited in vain for " + what);
                Thread.Sleep(200);
            }
        }

        /// <summary>systemd's reading of a command line: words split on spaces, double quotes grouping, backslash escapes, %% for %.</summary>
        private static List<string> SystemdWords(string line)
        {
            var words = new List<string>();
            var word = new System.Text.StringBuilder();
            bool quoted = false, any = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (c == '\\' && i + 1 < line.Length) { word.Append(line[++i]); any = true; }
                else if (c == '"') { quoted = !quoted; any = true; }
                else if (c == '%' && i + 1 < line.Length && line[i + 1] == '%') { word.Append('%'); i++; any = true; }
                else if (c == ' ' && !quoted) { if (any) words.Add(word.ToString()); word.Clear(); any = false; }
                else { word.Append(c); any = true; }
            }
            if (any) words.Add(word.ToString());
            return words;
        }

        /// <summary>certconnector as built, from its own output folder (with its hosting dependencies).</summary>
        internal static string CliAssembly
        {
            get
            {
                var testFolder = Path.GetDirectoryName(typeof(PSCertConnector.Cli.Program).Assembly.Location)!;
                var configuration = new DirectoryInfo(testFolder).Parent!.Name;
                var path = Path.GetFullPath(Path.Combine(testFolder, "..", "..", "..", "..", "..", "src", "PSCertConnector.Cli", "bin", configuration, "net10.0", "certconnector.dll"));
                File.Exists(path).Should().BeTrue($"certconnector is built at {path}");
                return path;
            }
        }
    }
}
