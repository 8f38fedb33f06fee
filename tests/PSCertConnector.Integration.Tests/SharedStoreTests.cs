using System.Diagnostics;
using FluentAssertions;
using Npgsql;
using PSCertConnector.Cli;
using PSCertConnector.Tests;
using Xunit;
using Xunit.Abstractions;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// Several certconnector processes sharing one PostgreSQL inventory (a private cluster on loopback): due imports are
    /// split between them by leases, none runs twice, and a worker killed with SIGKILL mid-lease leaves its connector to
    /// the next worker once the lease expires, with nothing lost or duplicated.
    /// </summary>
    [Collection("cli")]
    public sealed class SharedStoreTests : IClassFixture<PostgreSqlServer>, IDisposable
    {
        private static readonly TimeSpan ChildLimit = TimeSpan.FromSeconds(60);
        private readonly TempHome _home = new();
        private readonly PostgreSqlServer _server;
        private readonly string _connection;
        private readonly ITestOutputHelper _output;
        private List<string> Output { get; } = new();

        public SharedStoreTests(PostgreSqlServer server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
            _connection = server.NewDatabase();
            var set = Cli("store", "set", "--connection", _connection, "--password-file", server.PasswordFile);
            set.Exit.Should().Be(0, set.Err);
        }

        public void Dispose() => _home.Dispose();

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        private NpgsqlConnection Database()
        {
            var connection = new NpgsqlConnection(_connection + ";Password=" + _server.Password);
            connection.Open();
            return connection;
        }

        private long Count(string sql)
        {
            using var connection = Database();
            using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(command.ExecuteScalar());
        }

        /// <summary>
        /// certconnector as built, from its own output folder: the test's folder lacks the Npgsql dependencies the ASP.NET
        /// Core framework (which the Lab brings into these tests) already provides to the tests but not to certconnector.
        /// </summary>
        private static string CliAssembly
        {
            get
            {
                var testFolder = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
                var configuration = new DirectoryInfo(testFolder).Parent!.Name;
                var path = Path.GetFullPath(Path.Combine(testFolder, "..", "..", "..", "..", "..", "src", "PSCertConnector.Cli", "bin", configuration, "net10.0", "certconnector.dll"));
                File.Exists(path).Should().BeTrue($"certconnector is built at {path}");
                return path;
            }
        }

        private Process Worker(params string[] args) => Worker(new Dictionary<string, string>(), args);

        private Process Worker(Dictionary<string, string> environment, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var (name, value) in environment) start.Environment[name] = value;
            start.ArgumentList.Add(CliAssembly);
            foreach (var arg in args.Contains("--home") ? args : args.Concat(new[] { "--home", _home.Path })) start.ArgumentList.Add(arg);
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (Output) Output.Add(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) _output.WriteLine($"worker {process.Id}: {e.Data}"); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        private static void WaitFor(Func<bool> condition, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                if (watch.Elapsed > ChildLimit) throw new TimeoutException("Waited in vain for " + what);
                Thread.Sleep(25);
            }
        }

        /// <summary>A local CA connector with certificates issued on the CA but not yet in the inventory (as if another tool had enrolled them).</summary>
        private void ConnectorWithIssued(string name, int certificates)
        {
            Cli("connector", "add", "--name", name, "--type", "local", "--setting", "keyAlgorithm=ECDSA_P256").Exit.Should().Be(0);
            for (int i = 0; i < certificates; i++)
            {
                var csr = _home.File($"{name}-{i}.csr");
                Cli("request", "new", "--subject", $"CN={name}-{i}.contoso.com", "--key-algorithm", "ECDSA_P256", "--out", csr).Exit.Should().Be(0);
                var submitted = Cli("submit", "--connector", name, "--template", "WebServer", "--csr", csr);
                submitted.Exit.Should().Be(0, submitted.Err);
            }
            using var connection = Database();
            using var forget = new NpgsqlCommand("DELETE FROM certificates WHERE connector = @c; DELETE FROM orders WHERE connector = @c", connection);
            forget.Parameters.AddWithValue("c", name);
            forget.ExecuteNonQuery();
        }

        [Fact]
        public void The_demo_runs_whole_on_a_PostgreSQL_store_named_by_the_environment()
        {
            var demoHome = Path.Combine(_home.Path, "demo");
            var demo = Worker(new Dictionary<string, string>
            {
                ["PSCERTCONNECTOR_STORE"] = _server.NewDatabase(),
                ["PSCERTCONNECTOR_STORE_PASSWORD_FILE"] = _server.PasswordFile,
            }, "demo", "--home", demoHome);
            demo.WaitForExit((int)ChildLimit.TotalMilliseconds).Should().BeTrue();
            demo.WaitForExit(); // the timed wait returns before the redirected output is read to its end; this one waits for that
            var text = string.Join("\n", Output);
            demo.ExitCode.Should().Be(0, text);
            text.Should().MatchRegex(@"Inventory: PostgreSQL, PostgreSQL 127\.0\.0\.1:\d+/psc_");
            text.Should().Contain("is on the CRL with reason KeyCompromise");
            File.Exists(Path.Combine(demoHome, "inventory.db")).Should().BeFalse("the inventory is in PostgreSQL, not in the home");
        }

        [Fact]
        public void Four_workers_on_one_inventory_import_each_of_20_due_connectors_exactly_once()
        {
            for (int i = 1; i <= 20; i++) ConnectorWithIssued($"ca{i:00}", 1);
            Count("SELECT count(*) FROM certificates").Should().Be(0);

            var workers = Enumerable.Range(0, 4).Select(_ => Worker("import", "--due", "--lease-seconds", "30")).ToList();
            try
            {
                foreach (var worker in workers) worker.WaitForExit((int)ChildLimit.TotalMilliseconds).Should().BeTrue();
                workers.Select(w => w.ExitCode).Should().AllBeEquivalentTo(0);
            }
            finally
            {
                foreach (var worker in workers.Where(w => !w.HasExited)) worker.Kill(true);
            }

            Count("SELECT count(*) FROM import_runs").Should().Be(20, "each due connector is imported once, by one of the workers");
            Count("SELECT count(DISTINCT connector) FROM import_runs WHERE status = 'Succeeded' AND imported = 1").Should().Be(20);
            Count("SELECT count(*) FROM certificates").Should().Be(20);
            Count("SELECT count(*) FROM work_leases").Should().Be(0, "every lease is released when its import finishes");
            _output.WriteLine($"{Count("SELECT count(DISTINCT runner) FROM import_runs")} of the 4 workers took connectors");

            var again = Cli("import", "--due", "--json");
            again.Exit.Should().Be(0, again.Err);
            Count("SELECT count(*) FROM import_runs").Should().Be(20, "nothing is due again before the connectors' 15-minute interval");
        }

        [Fact]
        public void A_worker_killed_mid_lease_leaves_its_connector_to_the_next_worker_once_the_lease_expires()
        {
            ConnectorWithIssued("big", 12);
            Process? worker = null;
            using (var holder = Database())
            {
                // Hold the certificates table against writes: the worker claims its lease, records its run, and waits on its first page.
                using var hold = holder.BeginTransaction();
                new NpgsqlCommand("LOCK TABLE certificates IN SHARE ROW EXCLUSIVE MODE", holder, hold).ExecuteNonQuery();
                worker = Worker("import", "--due", "--lease-seconds", "4", "--batch-size", "5");
                try
                {
                    WaitFor(() => Count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'PSCertConnector' AND wait_event_type = 'Lock'") > 0,
                        "the worker to wait on its first page");
                    Count("SELECT count(*) FROM work_leases").Should().Be(1);
                    Process.Start("kill", $"-KILL {worker.Id}")!.WaitForExit();
                    worker.WaitForExit((int)ChildLimit.TotalMilliseconds).Should().BeTrue();
                }
                finally
                {
                    if (!worker.HasExited) worker.Kill(true);
                }
                hold.Rollback();
            }

            var whileHeld = Cli("import", "--due", "--json");
            whileHeld.Exit.Should().Be(0, whileHeld.Err);
            Count("SELECT count(*) FROM import_runs WHERE status = 'Succeeded'").Should().Be(0, "the killed worker's lease has not expired yet");

            WaitFor(() => Count("SELECT count(*) FROM work_leases WHERE expires_at > to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')") == 0, "the lease to expire");
            var takeover = Cli("import", "--due", "--json");
            takeover.Exit.Should().Be(0, takeover.Err);
            Count("SELECT count(*) FROM import_runs WHERE status = 'Succeeded' AND imported = 12").Should().Be(1);
            Count("SELECT count(*) FROM certificates").Should().Be(12, "nothing lost, nothing twice");
            Count("SELECT count(*) FROM work_leases").Should().Be(0);

            var runs = Cli("import", "--due", "--json");
            runs.Exit.Should().Be(0);
            var listed = Cli("connector", "show", "big", "--json");
            listed.Out.Should().Contain("\"lastImportAt\"");
        }
    }
}
