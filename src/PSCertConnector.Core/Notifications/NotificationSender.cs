using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Notifications
{
    /// <summary>
    /// Delivers a message (one notification, or a digest of several) on a rule's channel: SMTP, a webhook POST, or a
    /// command. Any failure is a <see cref="PscException"/> with id NotificationFailed whose text carries no secret.
    /// </summary>
    public static class NotificationSender
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
        private static readonly HttpClient Http = new HttpClient { Timeout = Timeout };
        private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

        public static void Send(NotificationRule rule, byte[]? secret, IReadOnlyList<Notification> items, CancellationToken cancellation)
        {
            if (items.Count == 0) return;
            var title = items.Count == 1 ? items[0].Title : $"PSCertConnector: {items.Count} notifications";
            var text = string.Join("\n\n", items.Select(i => items.Count == 1 ? i.Text : "• " + i.Title + "\n" + i.Text));
            try
            {
                switch (rule.Channel)
                {
                    case NotificationChannel.Smtp: SendMail(rule, secret, title, text, cancellation); break;
                    case NotificationChannel.Webhook: Post(rule, secret, title, text, items, cancellation); break;
                    default: RunCommand(rule, title, text, items, cancellation); break;
                }
            }
            catch (PscException) { throw; }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested) { throw; }
            catch (Exception ex) // whatever the mail server, webhook or network did (TLS handshake, no STARTTLS, no AUTH, SASL, ...)
            {
                throw new PscException("NotificationFailed", FailureCategory.ConnectionError,
                    $"Notification rule '{rule.Name}' could not deliver to {rule.Target} ({rule.Channel}): {DisplayText.Escape(ex.Message, 300)}", ex) { Target = rule.Name };
            }
        }

        private static void SendMail(NotificationRule rule, byte[]? password, string title, string text, CancellationToken cancellation)
        {
            var (host, port) = SmtpServer(rule.Target);
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(rule.Settings["from"]));
            foreach (var to in Recipients(rule.Settings["to"])) message.To.Add(MailboxAddress.Parse(to));
            message.Subject = title;
            message.Body = new TextPart("plain") { Text = text };
            using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
            bool signsIn = rule.Settings.TryGetValue("username", out var user) && user.Length > 0;
            var mode = TlsOption(rule.Settings.TryGetValue("tls", out var tls) ? tls : "auto");
            // A password never crosses the network in the clear: with a sign-in, "auto" insists on TLS (465: from the
            // start; else STARTTLS) instead of going on unencrypted when the server (or someone in between) offers none.
            if (signsIn && mode == SecureSocketOptions.Auto) mode = port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
            client.Connect(host, port, mode, cancellation);
            if (signsIn)
                client.Authenticate(user, password == null ? "" : Encoding.UTF8.GetString(password), cancellation);
            client.Send(message, cancellation);
            client.Disconnect(true, cancellation);
        }

        private static void Post(NotificationRule rule, byte[]? url, string title, string text, IReadOnlyList<Notification> items, CancellationToken cancellation)
        {
            if (url == null) throw new PscException("NotificationFailed", FailureCategory.InvalidData, $"Notification rule '{rule.Name}' has no webhook URL kept.") { Target = rule.Name };
            // "text" is what Slack and Teams incoming webhooks show; the list is for receivers that read fields.
            var body = JsonSerializer.Serialize(new { text = "**" + title + "**\n\n" + text, title, notifications = items.Select(Describe) }, Json);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Encoding.UTF8.GetString(url))) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = Http.SendAsync(request, cancellation).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                throw new PscException("NotificationFailed", FailureCategory.ConnectionError,
                    $"Notification rule '{rule.Name}': the webhook at {rule.Target} answered {(int)response.StatusCode} {DisplayText.Escape(response.ReasonPhrase ?? "", 80)}.") { Target = rule.Name };
        }

        private static void RunCommand(NotificationRule rule, string title, string text, IReadOnlyList<Notification> items, CancellationToken cancellation) =>
            ShellCommand.Run(rule.Target, new Dictionary<string, string>
            {
                ["PSC_NOTIFICATION_RULE"] = rule.Name,
                ["PSC_NOTIFICATION_TITLE"] = title,
                ["PSC_NOTIFICATION_COUNT"] = items.Count.ToString(CultureInfo.InvariantCulture),
                ["PSC_NOTIFICATION_KINDS"] = string.Join(",", items.Select(i => i.Kind).Distinct()),
            }, JsonSerializer.Serialize(new { title, text, notifications = items.Select(Describe) }, Json), TimeSpan.FromMinutes(5),
                "NotificationFailed", $"notification command of rule '{rule.Name}'", cancellation);

        private static object Describe(Notification n) => new
        {
            kind = n.Kind.ToString(), subject = n.Subject, title = n.Title, text = n.Text, connector = n.Connector, target = n.Target, expiresAt = n.ExpiresAt,
        };

        /// <summary>host[:port], port 25 by default; an IPv6 literal goes in brackets.</summary>
        public static (string Host, int Port) SmtpServer(string server)
        {
            var uri = Uri.TryCreate("smtp://" + server, UriKind.Absolute, out var parsed) ? parsed : null;
            if (uri == null || uri.Host.Length == 0 || uri.AbsolutePath != "/" || uri.UserInfo.Length > 0)
                throw new PscException("InvalidSmtpServer", FailureCategory.InvalidArgument, $"The SMTP server '{DisplayText.Escape(server, 100)}' should be host or host:port (e.g. smtp.contoso.com:587).");
            return (uri.Host.Trim('[', ']'), uri.IsDefaultPort || uri.Port < 0 ? 25 : uri.Port);
        }

        public static IReadOnlyList<string> Recipients(string list) =>
            list.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries).Select(a => a.Trim()).Where(a => a.Length > 0).ToList();

        public static SecureSocketOptions TlsOption(string tls) => tls.ToLowerInvariant() switch
        {
            "auto" => SecureSocketOptions.Auto,
            "starttls" => SecureSocketOptions.StartTls,
            "ssl" or "tls" => SecureSocketOptions.SslOnConnect,
            "none" => SecureSocketOptions.None,
            _ => throw new PscException("InvalidSmtpTls", FailureCategory.InvalidArgument, $"The SMTP TLS mode '{DisplayText.Escape(tls, 40)}' should be auto, starttls, ssl or none."),
        };
    }
}
