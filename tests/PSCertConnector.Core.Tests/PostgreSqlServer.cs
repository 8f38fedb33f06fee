using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// A private PostgreSQL cluster for the tests: initdb in a temporary folder, a free port on 127.0.0.1, password
    /// authentication (scram-sha-256), stopped and deleted afterwards. Run as the 'postgres' account when the tests run
    /// as root, since PostgreSQL refuses to. Each test takes a database of its own.
    /// </summary>
    public sealed class PostgreSqlServer : IDisposable
    {
        public const string User = "psc";
        private readonly string _bin;
        private readonly string? _runAs;
        private int _databases;

        public PostgreSqlServer()
        {
            _bin = FindBinaries() ?? throw new InvalidOperationException(
                "PostgreSQL's server programs are not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql. .ci/run installs it.");
            _runAs = Environment.UserName == "root" ? "postgres" : null;
            Folder = Path.Combine(Path.GetTempPath(), "psc-pg-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Folder);
            Password = Guid.NewGuid().ToString("N");
            PasswordFile = Path.Combine(Path.GetTempPath(), "psc-pg-" + Guid.NewGuid().ToString("N") + ".pw");
            File.WriteAllText(PasswordFile, Password + "\n");
            var initPassword = Path.Combine(Folder, "initdb.pw");
            File.WriteAllText(initPassword, Password + "\n");
            if (_runAs != null) Run("chown", $"-R {_runAs} {Folder}", asServer: false);
            var data = Path.Combine(Folder, "data");
            Run(Path.Combine(_bin, "initdb"), $"-D {data} -U {User} --auth=scram-sha-256 --pwfile={initPassword} -E UTF8 --locale=C.UTF-8 -N");
            Port = Loopback.FreePort();
            Run(Path.Combine(_bin, "pg_ctl"),
                $"-D {data} -l {Path.Combine(Folder, "server.log")} -w -t 60 start -o \"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c max_connections=60 -c fsync=off -c synchronous_commit=off\"");
        }

        public string Folder { get; }
        public int Port { get; }
        public string Password { get; }
        /// <summary>The password in a file, as an administrator hands it to a service (PSCERTCONNECTOR_STORE_PASSWORD_FILE).</summary>
        public string PasswordFile { get; }

        /// <summary>The connection string of a new, empty database (no password in it).</summary>
        public string NewDatabase()
        {
            var name = $"psc_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..6]}";
            using (var connection = new NpgsqlConnection(ConnectionString("postgres") + $";Password={Password}"))
            {
                connection.Open();
                using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                command.ExecuteNonQuery();
            }
            return ConnectionString(name);
        }

        public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Database={database};Username={User};Pooling=false";

        public void Dispose()
        {
            try { Run(Path.Combine(_bin, "pg_ctl"), $"-D {Path.Combine(Folder, "data")} -m immediate -w stop"); }
            catch (InvalidOperationException) { /* already stopped */ }
            try { Directory.Delete(Folder, true); } catch (IOException) { }
            try { File.Delete(PasswordFile); } catch (IOException) { }
        }

        private void Run(string program, string arguments, bool asServer = true)
        {
            var start = asServer && _runAs != null
                ? new ProcessStartInfo("runuser", $"-u {_runAs} -- {program} {arguments}")
                : new ProcessStartInfo(program, arguments);
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.WorkingDirectory = Path.GetTempPath();
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(true);
                throw new InvalidOperationException($"{program} did not finish in 120 s");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {error.Result}{output.Result}");
        }

        private static string? FindBinaries()
        {
            if (!Directory.Exists("/usr/lib/postgresql")) return null;
            return Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault();
        }

    }
}
