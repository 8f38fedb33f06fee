using System.Diagnostics;
using System.Net.Sockets;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// Debian's tinyproxy on 127.0.0.1 as a real forwarding proxy (HTTPS goes through it by CONNECT), optionally
    /// requiring Basic authentication; its log says which tunnels it opened.
    /// </summary>
    internal sealed class TinyProxy : IDisposable
    {
        public const string Program = "/usr/bin/tinyproxy";
        private readonly Process _server;
        private readonly string _folder;

        public TinyProxy(string folder, (string User, string Password)? basicAuth = null)
        {
            _folder = Directory.CreateDirectory(Path.Combine(folder, "tinyproxy-" + Guid.NewGuid().ToString("N")[..8])).FullName;
            // tinyproxy started as root runs as the configured user, which must be able to write its log.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_folder, (UnixFileMode)Convert.ToInt32("777", 8));
            Port = PSCertConnector.Tests.Loopback.FreePort();
            var config = Path.Combine(_folder, "tinyproxy.conf");
            var lines = new List<string>
            {
                $"Port {Port}", "Listen 127.0.0.1", "Timeout 60", "MaxClients 20", "Allow 127.0.0.1",
                $"LogFile \"{LogPath}\"", "LogLevel Info", "DisableViaHeader Yes",
            };
            if (Environment.UserName == "root") lines.AddRange(new[] { "User nobody", "Group nogroup" });
            if (basicAuth is { } auth) lines.Add($"BasicAuth {auth.User} {auth.Password}");
            File.WriteAllLines(config, lines);
            _server = PSCertConnector.Tests.Loopback.StartServer(Program, Port, "-d", "-c", config);
        }

        public int Port { get; }
        public string Url => $"http://127.0.0.1:{Port}";
        private string LogPath => Path.Combine(_folder, "tinyproxy.log");

        /// <summary>The tunnels the proxy was asked for, as "host:port".</summary>
        public IReadOnlyList<string> Tunnels =>
            File.Exists(LogPath)
                ? File.ReadAllLines(LogPath).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"CONNECT ([^ ]+) HTTP")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList()
                : new List<string>();

        public void Dispose()
        {
            if (!_server.HasExited) _server.Kill();
            _server.WaitForExit(10_000);
            _server.Dispose();
        }
    }
}
