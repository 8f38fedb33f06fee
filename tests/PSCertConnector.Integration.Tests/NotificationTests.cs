using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// Notification rules through certconnector, delivered by the maintenance pass to a real SMTP server (aiosmtpd) and a
    /// real HTTP receiver on loopback: each threshold once per certificate, digests in one message, failures retried.
    /// </summary>
    [Collection("cli")]
    public sealed class NotificationTests : IDisposable
    {
        private readonly TempHome _home = new();
        private readonly SmtpReceiver _smtp;
        private readonly WebhookReceiver _hook = new();

        public NotificationTests()
        {
            _smtp = new SmtpReceiver(_home.Path);
            Cli("connector", "add", "--name", "ca", "--type", "local").Exit.Should().Be(0);
        }

        public void Dispose()
        {
            _hook.Dispose();
            _smtp.Dispose();
            _home.Dispose();
        }

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        private JsonElement Json(params string[] args) => InProcessCli.Json(_home.Path, args);

        private string Enroll(string commonName, string template = "Machine")
        {
            var csr = _home.File(commonName + ".csr");
            Cli("request", "new", "--subject", "CN=" + commonName, "--out", csr).Exit.Should().Be(0);
            var order = Json("submit", "--connector", "ca", "--template", template, "--csr", csr);
            return order.GetProperty("id").GetInt64().ToString();
        }

        private JsonElement Maintain() => Json("maintain", "--once");

        private void AddWebhookRule(string name, string path, params string[] more)
        {
            var variable = "PSC_TEST_HOOK_" + name.ToUpperInvariant().Replace('-', '_');
            Environment.SetEnvironmentVariable(variable, _hook.Url(path) + "?token=s3cr3t-token");
            var add = Cli(new[] { "notify", "add", "--name", name, "--channel", "webhook", "--url-env", variable }.Concat(more).ToArray());
            add.Exit.Should().Be(0, add.Err);
        }

        [Fact]
        public void A_certificate_crossing_an_expiry_threshold_is_mailed_once_and_a_second_pass_sends_nothing()
        {
            var add = Cli("notify", "add", "--name", "expiry-mail", "--channel", "smtp", "--smtp-server", $"127.0.0.1:{_smtp.Port}", "--tls", "none",
                "--from", "pki@contoso.com", "--to", "owners@contoso.com,pki-team@contoso.com", "--expiring-days", "366,1");
            add.Exit.Should().Be(0, add.Err);
            Enroll("www.contoso.com"); // Machine: issued for 365 days, inside 366, not inside 1
            var first = Maintain();
            first.GetProperty("notificationsSent").GetInt32().Should().Be(1);
            first.GetProperty("certificatesFetched").GetInt32().Should().Be(1);

            var mail = _smtp.Messages.Should().ContainSingle().Subject;
            mail.Subject.Should().Be("Certificate 'www.contoso.com' expires within 366 days");
            mail.To.Mailboxes.Select(m => m.Address).Should().BeEquivalentTo("owners@contoso.com", "pki-team@contoso.com");
            mail.From.Mailboxes.Single().Address.Should().Be("pki@contoso.com");
            mail.TextBody.Should().Contain("connector 'ca'").And.Contain("CN=www.contoso.com");

            Maintain().GetProperty("notificationsSent").GetInt32().Should().Be(0);
            _smtp.Messages.Should().HaveCount(1, "each threshold is told once per certificate");
            Json("events", "--id", "6001").EnumerateArray().Should().ContainSingle().Which.GetProperty("target").GetString().Should().Be("expiry-mail");
        }

        [Fact]
        public void A_webhook_gets_one_post_per_item_or_one_digest_and_its_url_is_never_shown()
        {
            AddWebhookRule("each", "each", "--issued", "--denied");
            AddWebhookRule("digest", "digest", "--issued", "--expiring-days", "366", "--digest");
            Enroll("a.contoso.com");
            Enroll("b.contoso.com");
            var denied = Enroll("c.contoso.com", "WebServerApproval");
            Cli("order", "deny", denied, "--yes").Exit.Should().Be(0);

            Maintain().GetProperty("notificationsSent").GetInt32().Should().Be(3 + 4);
            var each = _hook.Bodies.Select(b => JsonDocument.Parse(b).RootElement).Where(b => b.GetProperty("notifications").GetArrayLength() == 1).ToList();
            each.Select(b => b.GetProperty("notifications")[0].GetProperty("kind").GetString()).Should().BeEquivalentTo("Issued", "Issued", "Denied");
            each.Should().OnlyContain(b => b.GetProperty("text").GetString()!.Length > 0, "Teams and Slack show the text field");
            var digest = _hook.Bodies.Select(b => JsonDocument.Parse(b).RootElement).Where(b => b.GetProperty("notifications").GetArrayLength() > 1).Should().ContainSingle().Subject;
            digest.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("kind").GetString()).Should().BeEquivalentTo("Issued", "Issued", "Expiring", "Expiring");
            digest.GetProperty("title").GetString().Should().Be("PSCertConnector: 4 notifications");

            Maintain().GetProperty("notificationsSent").GetInt32().Should().Be(0);
            _hook.Bodies.Should().HaveCount(4);

            var shown = Cli("notify", "list", "--json");
            shown.Out.Should().Contain($"http://127.0.0.1:{_hook.Port}").And.NotContain("s3cr3t-token");
            File.ReadAllText(Path.Combine(_home.Path, "logs", "events.jsonl")).Should().NotContain("s3cr3t-token");
            foreach (var file in Directory.GetFiles(_home.Path, "inventory.db*"))
                System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file)).Should().NotContain("s3cr3t-token", "the URL is kept protected in {0}", file);
        }

        [Fact]
        public void A_delivery_that_fails_is_an_error_and_an_event_and_the_next_pass_delivers_it_once()
        {
            AddWebhookRule("flaky", "flaky", "--issued");
            Enroll("retry.contoso.com");
            _hook.AnswerNext(500);
            var failed = Cli("maintain", "--once", "--json");
            failed.Exit.Should().Be(1, "an item failed");
            failed.Err.Should().Contain("[NotificationFailed]").And.Contain("answered 500").And.NotContain("s3cr3t-token");
            JsonDocument.Parse(failed.Out).RootElement.GetProperty("failures").GetInt32().Should().Be(1);
            Json("events", "--id", "6200").EnumerateArray().Should().ContainSingle().Which.GetProperty("level").GetString().Should().Be("warning");
            Json("events", "--id", "7100").EnumerateArray().Should().ContainSingle("the pass summary says it had failures");

            Maintain().GetProperty("notificationsSent").GetInt32().Should().Be(1);
            Maintain().GetProperty("notificationsSent").GetInt32().Should().Be(0);
            _hook.Bodies.Should().ContainSingle();
        }

        [Fact]
        public void A_command_rule_reads_the_notification_on_its_input_and_a_test_message_checks_the_channel()
        {
            var received = _home.File("received.json");
            var add = Cli("notify", "add", "--name", "script", "--channel", "command", "--command", $"cat > '{received}'; echo \"$PSC_NOTIFICATION_RULE $PSC_NOTIFICATION_COUNT\" >> '{received}.env'",
                "--pending-hours", "1");
            add.Exit.Should().Be(0, add.Err);
            var test = Cli("notify", "test", "script");
            test.Exit.Should().Be(0, test.Err);
            var sent = JsonDocument.Parse(File.ReadAllText(received)).RootElement;
            sent.GetProperty("notifications")[0].GetProperty("kind").GetString().Should().Be("Test");
            File.ReadAllText(received + ".env").Trim().Should().Be("script 1");

            var failing = Cli("notify", "add", "--name", "broken", "--channel", "command", "--command", "echo no mail server >&2; exit 4", "--issued");
            failing.Exit.Should().Be(0);
            var broken = Cli("notify", "test", "broken");
            broken.Exit.Should().Be(1);
            broken.Err.Should().Contain("[NotificationFailed]").And.Contain("code 4").And.Contain("no mail server");
        }

        [Fact]
        public void A_rule_with_a_missing_or_wrong_field_is_refused_naming_the_field()
        {
            Cli("notify", "add", "--name", "x", "--channel", "smtp", "--smtp-server", "mail", "--from", "pki@contoso.com", "--to", "a@contoso.com")
                .Err.Should().Contain("Triggers").And.Contain("--expiring-days");
            Cli("notify", "add", "--name", "x", "--channel", "smtp", "--smtp-server", "mail", "--from", "not an address", "--to", "a@contoso.com", "--issued")
                .Err.Should().Contain("From").And.Contain("mail address");
            Cli("notify", "add", "--name", "x", "--channel", "smtp", "--smtp-server", "mail:99999", "--from", "pki@contoso.com", "--to", "a@contoso.com", "--issued")
                .Err.Should().Contain("SMTP server");
            Cli("notify", "add", "--name", "x", "--channel", "webhook", "--issued").Err.Should().Contain("WebhookUrl");
            Cli("notify", "add", "--name", "x", "--channel", "command", "--command", "true", "--expiring-days", "0").Err.Should().Contain("ExpiringDays");
            Cli("notify", "add", "--name", "x", "--channel", "command", "--command", "true", "--issued", "--connector", "nope").Exit.Should().NotBe(0);
            Json("notify", "list").GetArrayLength().Should().Be(0, "nothing was stored");
            Cli("notify", "remove", "nope", "--yes").Err.Should().Contain("[NotificationRuleNotFound]");
        }
    }
}
