using System.Diagnostics;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using PSCertConnector.Cli;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;
using Xunit.Abstractions;
using PSCertConnector.Core.Connectors.Embedded;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// certconnector processes killed with SIGKILL in the middle of their work on an embedded CA; afterwards the CA
    /// database, the published CRL and the inventory must agree, and a rerun must neither lose nor duplicate anything.
    /// </summary>
    [Collection("cli")]
    public sealed class CrashTests : IDisposable
    {
        private static readonly TimeSpan ChildLimit = TimeSpan.FromSeconds(60);
        private readonly TempHome _home = new();
        private readonly ITestOutputHelper _output;

        public CrashTests(ITestOutputHelper output)
        {
            _output = output;
            Cli("connector", "add", "--name", "lab", "--type", "local", "--setting", "keyAlgorithm=ECDSA_P256").Exit.Should().Be(0);
        }

        public void Dispose() => _home.Dispose();

        private string InventoryPath => _home.File("inventory.db");
        private string CaDatabasePath => Path.Combine(_home.Path, "ca", "lab", "ca.db");

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        /// <summary>The CLI as its own process, so it can be killed: 'dotnet certconnector.dll ...'.</summary>
        private Process Child(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(typeof(Program).Assembly.Location);
            foreach (var arg in args.Concat(new[] { "--home", _home.Path })) start.ArgumentList.Add(arg);
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        private static void Kill(Process process)
        {
            if (!process.HasExited) Process.Start("kill", $"-KILL {process.Id}")!.WaitForExit();
            process.WaitForExit((int)ChildLimit.TotalMilliseconds).Should().BeTrue();
        }

        private string NewCsr(string cn)
        {
            var path = _home.File(cn + ".csr");
            var made = Cli("request", "new", "--subject", "CN=" + cn, "--key-algorithm", "ECDSA_P256", "--out", path);
            made.Exit.Should().Be(0, made.Err);
            return path;
        }

        private static void WaitFor(Func<bool> condition, string what, TimeSpan? limit = null)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                if (watch.Elapsed > (limit ?? ChildLimit)) throw new TimeoutException("Waited in vain for " + what);
                Thread.Sleep(20);
            }
        }

        private static long Count(string database, string sql)
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }

        /// <summary>Holds the database's write lock (readers go on, writers wait) until disposed.</summary>
        private static SqliteTransaction HoldWriteLock(string database, out SqliteConnection connection)
        {
            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
            connection.Open();
            return connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE
        }

        [Fact]
        public void A_submit_killed_after_the_CA_issued_keeps_its_order_and_a_rerun_issues_nothing_twice()
        {
            var csr = NewCsr("killed.contoso.com");
            // Make the window deterministic: the child waits for the CA's database while we hold it, then (once the CA has
            // issued) waits for the inventory while we hold that; it is killed there, between the CA's commit and its own.
            var caLock = HoldWriteLock(CaDatabasePath, out var caConnection);
            var child = Child("submit", "--connector", "lab", "--template", "WebServer", "--csr", csr, "--json");
            try
            {
                // Once its order is recorded the child can only go on to the CA, where it waits; a build that records
                // nothing first is given the time to get there.
                try { WaitFor(() => Count(InventoryPath, "SELECT count(*) FROM orders") > 0, "the order to be recorded", TimeSpan.FromSeconds(8)); }
                catch (TimeoutException) { _output.WriteLine("no order was recorded before the CA was contacted"); }
                child.HasExited.Should().BeFalse("the child waits for the CA's database");
                var inventoryLock = HoldWriteLock(InventoryPath, out var inventoryConnection);
                caLock.Rollback();
                caConnection.Dispose();
                WaitFor(() => Count(CaDatabasePath, "SELECT count(*) FROM requests WHERE certificate IS NOT NULL") == 1, "the CA to issue");
                Kill(child);
                inventoryLock.Rollback();
                inventoryConnection.Dispose();
            }
            finally
            {
                if (!child.HasExited) child.Kill(true);
                caConnection.Dispose();
            }

            var list = Cli("order", "list", "--json");
            list.Exit.Should().Be(0, list.Err);
            var orders = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().ToList();
            orders.Should().ContainSingle("the order recorded before the CA was contacted survives the kill");
            orders[0].GetProperty("status").GetString().Should().Be("issued", "the next run finds the CA's request by its submission id");

            // The script that was killed runs again: it gets the same order, the CA issues nothing more.
            var rerun = Cli("submit", "--connector", "lab", "--template", "WebServer", "--csr", csr, "--json");
            rerun.Exit.Should().Be(0, rerun.Err);
            JsonDocument.Parse(rerun.Out).RootElement.GetProperty("id").GetInt64().Should().Be(orders[0].GetProperty("id").GetInt64());
            Count(CaDatabasePath, "SELECT count(*) FROM requests").Should().Be(1);
            Cli("order", "fetch", "--all").Exit.Should().Be(0);
            Count(InventoryPath, "SELECT count(*) FROM certificates").Should().Be(1);
        }

        [Fact]
        public void Submit_approve_revoke_and_import_killed_at_random_points_leave_the_CA_the_crl_and_the_inventory_in_agreement()
        {
            var seed = Environment.TickCount;
            var random = new Random(seed);
            _output.WriteLine($"seed {seed}");
            const int rounds = 5;
            var csrs = Enumerable.Range(0, rounds).Select(i => NewCsr($"round{i}.contoso.com")).ToList();
            var watch = Stopwatch.StartNew();

            for (int round = 0; round < rounds && watch.Elapsed < TimeSpan.FromMinutes(3); round++)
            {
                // A random point from before the process is up to after it would have finished (startup takes most of it).
                int Delay() => random.Next(150, 1800);

                var template = round % 2 == 0 ? "WebServer" : "WebServerApproval";
                var submit = Child("submit", "--connector", "lab", "--template", template, "--csr", csrs[round]);
                Thread.Sleep(Delay());
                Kill(submit);
                // What a retrying script does: submit again; then the state must be settled and single.
                var again = Cli("submit", "--connector", "lab", "--template", template, "--csr", csrs[round], "--json");
                again.Exit.Should().Be(0, $"round {round} (seed {seed}): {again.Err}");
                var order = JsonDocument.Parse(again.Out).RootElement;
                var id = order.GetProperty("id").GetInt64().ToString();

                if (template == "WebServerApproval" && order.GetProperty("status").GetString() == "pending")
                {
                    var approve = Child("order", "approve", id);
                    Thread.Sleep(Delay());
                    Kill(approve);
                    var settled = Cli("order", "approve", id, "--json");
                    settled.Exit.Should().Be(0, $"round {round} (seed {seed}): approving again after a kill is not an error: {settled.Err}");
                }
                Cli("order", "fetch", id).Exit.Should().Be(0);

                var serial = JsonDocument.Parse(Cli("cert", "list", "--json").Out).RootElement.EnumerateArray()
                    .Single(c => c.GetProperty("commonName").GetString() == $"round{round}.contoso.com").GetProperty("serialNumber").GetString()!;
                var revoke = Child("revoke", serial, "--reason", "key-compromise", "--yes");
                Thread.Sleep(Delay());
                Kill(revoke);
                var revokedAgain = Cli("revoke", serial, "--reason", "key-compromise", "--yes");
                revokedAgain.Exit.Should().Be(0, $"round {round} (seed {seed}): {revokedAgain.Err}");

                var import = Child("import", "--connector", "lab");
                Thread.Sleep(Delay());
                Kill(import);

                AssertAgreement($"round {round} (seed {seed})");
            }
        }

        private static string SerialValue(string hex) => hex.ToUpperInvariant().TrimStart('0');

        private void AssertAgreement(string because)
        {
            Cli("import", "--connector", "lab").Exit.Should().Be(0, because);
            var crlFile = _home.File("check.crl");
            if (File.Exists(crlFile)) File.Delete(crlFile);
            Cli("crl", "show", "--connector", "lab", "--out", crlFile).Exit.Should().Be(0, because);
            var onCrl = System.Text.RegularExpressions.Regex.Matches(OpenSsl.Ok($"crl -inform DER -in \"{crlFile}\" -noout -text"), @"Serial Number: *([0-9A-Fa-f]+)")
                .Select(m => SerialValue(m.Groups[1].Value)).ToHashSet();

            using var ws = Workspace.Open(_home.Path);
            var ca = ((LocalConnector)ws.Connect("lab")).Authority;
            var issued = ca.Enumerate(null, 10_000).Items;
            var orders = ws.Store.QueryOrders(new OrderQuery());
            orders.Should().NotContain(o => o.Status == SubmitStatus.Submitting || o.Status == SubmitStatus.Unknown, because);
            orders.Select(o => o.RequestId).Should().OnlyHaveUniqueItems(because);
            Count(CaDatabasePath, "SELECT count(*) FROM requests").Should().Be(orders.Count(o => o.Status != SubmitStatus.Failed),
                because + ": every request the CA has belongs to exactly one order");

            var inventory = ws.Store.QueryCertificates(new CertificateQuery());
            inventory.Select(c => c.SerialNumber).Should().BeEquivalentTo(issued.Select(i => PSCertConnector.Core.Pkix.CertificateReader.Read(i.Certificate).SerialNumber), because);
            inventory.Where(c => c.RevokedAt != null).Select(c => SerialValue(c.SerialNumber)).Should()
                .BeEquivalentTo(issued.Where(i => i.RevokedAt != null).Select(i => SerialValue(PSCertConnector.Core.Pkix.CertificateReader.Read(i.Certificate).SerialNumber)), because);
            onCrl.Should().BeEquivalentTo(inventory.Where(c => c.RevokedAt != null).Select(c => SerialValue(c.SerialNumber)),
                because + ": what the CA revoked is on its published CRL, as OpenSSL reads it");
            ws.Store.ListImportRuns("lab").Should().NotContain(r => r.Status == ImportRunStatus.Running, because);
        }
    }
}
