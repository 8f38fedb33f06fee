namespace PSCertConnector.Tests
{
    /// <summary>Servers the tests start listen on 127.0.0.1, on a port nothing else holds.</summary>
    public static class Loopback
    {
        public static int FreePort()
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        /// <summary>
        /// Starts a server program that will listen on 127.0.0.1:<paramref name="port"/> and returns once it accepts a
        /// connection (its output is read and dropped); it fails when the program exits first or 20 seconds pass.
        /// </summary>
        public static System.Diagnostics.Process StartServer(string program, int port, params string[] arguments)
        {
            var start = new System.Diagnostics.ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            var server = System.Diagnostics.Process.Start(start)!;
            var errors = new System.Text.StringBuilder();
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                try { using var probe = new System.Net.Sockets.TcpClient("127.0.0.1", port); return server; }
                catch (System.Net.Sockets.SocketException) when (watch.Elapsed < System.TimeSpan.FromSeconds(20) && !server.HasExited) { System.Threading.Thread.Sleep(100); }
                catch (System.Net.Sockets.SocketException)
                {
                    if (!server.HasExited) server.Kill();
                    lock (errors) throw new System.InvalidOperationException($"{program} did not listen on 127.0.0.1:{port}: {errors}");
                }
            }
        }
    }
}
