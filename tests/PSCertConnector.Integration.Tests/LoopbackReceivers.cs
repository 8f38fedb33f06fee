using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// A real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd, its Mailbox handler writing a Maildir), stopped when
    /// disposed. The messages it received are read back with MimeKit.
    /// </summary>
    internal sealed class SmtpReceiver : IDisposable
    {
        private readonly Process _server;
        private readonly string _maildir;

        public SmtpReceiver(string folder)
        {
            _maildir = Path.Combine(folder, "maildir");
            Port = PSCertConnector.Tests.Loopback.FreePort();
            _server = PSCertConnector.Tests.Loopback.StartServer("/usr/bin/python3", Port, "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", _maildir);
        }

        public int Port { get; }

        public IReadOnlyList<MimeMessage> Messages =>
            Directory.Exists(Path.Combine(_maildir, "new"))
                ? Directory.GetFiles(Path.Combine(_maildir, "new")).OrderBy(File.GetLastWriteTimeUtc).Select(f => MimeMessage.Load(f)).ToList()
                : new List<MimeMessage>();

        public void Dispose()
        {
            if (!_server.HasExited) _server.Kill();
            _server.WaitForExit(10_000);
            _server.Dispose();
        }

    }

    /// <summary>An HTTP receiver on 127.0.0.1 that keeps every POST body; it answers with the statuses queued, then 200.</summary>
    internal sealed class WebhookReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Thread _loop;
        private readonly Queue<int> _statuses = new();
        private readonly List<string> _bodies = new();

        public WebhookReceiver()
        {
            Port = PSCertConnector.Tests.Loopback.FreePort();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _loop = new Thread(Serve) { IsBackground = true };
            _loop.Start();
        }

        public int Port { get; }
        public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

        public IReadOnlyList<string> Bodies { get { lock (_bodies) return _bodies.ToList(); } }

        /// <summary>The next requests get these statuses (e.g. 500 for a receiver that is down), then 200 again.</summary>
        public void AnswerNext(params int[] statuses) { lock (_statuses) foreach (var s in statuses) _statuses.Enqueue(s); }

        private void Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = _listener.GetContext(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                using var reader = new StreamReader(context.Request.InputStream);
                var body = reader.ReadToEnd();
                int status;
                lock (_statuses) status = _statuses.Count > 0 ? _statuses.Dequeue() : 200;
                if (status == 200) lock (_bodies) _bodies.Add(body);
                context.Response.StatusCode = status;
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Join(5_000);
        }
    }
}
