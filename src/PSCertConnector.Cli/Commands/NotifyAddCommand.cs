using System.Globalization;
using System.Linq;
using PSCertConnector.Core.Notifications;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class NotifyAddCommand : CliCommand
    {
        public NotifyAddCommand() : base("notify add",
            "Create a notification rule: what to tell (expiring certificates, pending approvals, issued, denied, failed imports, CRLs near their next update) and how (mail, webhook, command). The maintenance pass sends what is due, each threshold once per certificate.",
            new CliOption("name", "the rule's name"),
            new CliOption("channel", "smtp, webhook or command"),
            new CliOption("smtp-server", "smtp: host or host:port (default port 25)"),
            new CliOption("from", "smtp: the sender's address"),
            new CliOption("to", "smtp: recipients (repeat or comma-separate)"),
            new CliOption("username", "smtp: the account to sign in with"),
            new CliOption("password-env", "smtp: environment variable holding the password (kept protected)"),
            new CliOption("password-file", "smtp: file holding the password"),
            new CliOption("tls", "smtp: auto (STARTTLS when offered, the default), starttls, ssl or none"),
            new CliOption("url-env", "webhook: environment variable holding the URL (Teams and Slack URLs carry a token; kept protected)"),
            new CliOption("url-file", "webhook: file holding the URL"),
            new CliOption("command", "command: a command line that reads the notification as JSON on standard input (PSC_NOTIFICATION_* variables too)"),
            new CliOption("expiring-days", "tell when a certificate is this many days from expiry (e.g. 30,14,7,1)"),
            new CliOption("pending-hours", "tell when a request has waited for approval this many hours"),
            CliOption.Flag("issued", "tell when an order is issued"),
            CliOption.Flag("denied", "tell when an order is denied"),
            CliOption.Flag("import-failed", "tell when an import fails"),
            new CliOption("crl-hours", "tell when a CRL is this many hours from its next update with no newer one"),
            new CliOption("connector", "only this connector's certificates and orders"),
            CliOption.Flag("digest", "one message per pass with everything due, instead of one per item"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var channel = cl.Enum<NotificationChannel>("channel") ?? throw CommandLine.Usage("Give --channel smtp, webhook or command.");
            var days = cl.All("expiring-days").Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d
                : throw CommandLine.Usage($"--expiring-days '{v}' is not a number of days.")).ToList();
            var request = new NotificationRuleRequest
            {
                Name = cl.Require("name", "the rule's name"), Channel = channel, SmtpServer = cl.Get("smtp-server"), From = cl.Get("from"), To = cl.All("to"),
                Username = cl.Get("username"), Password = cl.Secret("password-env", "password-file"), Tls = cl.Get("tls") ?? "auto",
                WebhookUrl = cl.Secret("url-env", "url-file"), Command = cl.Get("command"), Connector = cl.Get("connector"), Digest = cl.Has("digest"),
                Triggers = new NotificationTriggers
                {
                    ExpiringDays = days, PendingOlderThanHours = cl.Int("pending-hours", 1, 8760), Issued = cl.Has("issued"), Denied = cl.Has("denied"),
                    ImportFailed = cl.Has("import-failed"), CrlWithinHours = cl.Int("crl-hours", 1, 8760),
                },
            };
            return run.Op(false, (ws, s) => new NotificationOperations(ws, s).Add(request), single: true);
        }
    }
}
