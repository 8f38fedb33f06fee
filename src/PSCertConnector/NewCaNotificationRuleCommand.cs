using System.Management.Automation;
using PSCertConnector.Core.Notifications;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// Creates a notification rule: what to tell and how (mail, webhook, command). The maintenance pass sends what is
    /// due, each expiry threshold once per certificate.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "CaNotificationRule", SupportsShouldProcess = true, DefaultParameterSetName = SmtpSet)]
    [OutputType(typeof(NotificationRule))]
    public sealed class NewCaNotificationRuleCommand : PscCmdlet
    {
        private const string SmtpSet = "Smtp";
        private const string WebhookSet = "Webhook";
        private const string CommandSet = "Command";

        [Parameter(Mandatory = true, Position = 0)] public string Name { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = SmtpSet)] public string SmtpServer { get; set; } = "";
        [Parameter(Mandatory = true, ParameterSetName = SmtpSet)] public string From { get; set; } = "";
        [Parameter(Mandatory = true, ParameterSetName = SmtpSet)] public string[] To { get; set; } = new string[0];
        /// <summary>The account and password to sign in to the SMTP server with (the password is kept protected).</summary>
        [Parameter(ParameterSetName = SmtpSet)] [Credential] public PSCredential? Credential { get; set; }
        [Parameter(ParameterSetName = SmtpSet)] [ValidateSet("Auto", "StartTls", "Ssl", "None", IgnoreCase = true)] public string Tls { get; set; } = "Auto";

        /// <summary>The webhook URL (kept protected: Teams and Slack URLs carry their token).</summary>
        [Parameter(Mandatory = true, ParameterSetName = WebhookSet)] public System.Security.SecureString? WebhookUrl { get; set; }

        /// <summary>A command line that reads the notification as JSON on standard input.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CommandSet)] public string Command { get; set; } = "";

        [Parameter] [ValidateRange(1, 3650)] public int[] ExpiringDays { get; set; } = new int[0];
        [Parameter] [ValidateRange(1, 8760)] public int? PendingOlderThanHours { get; set; }
        [Parameter] public SwitchParameter Issued { get; set; }
        [Parameter] public SwitchParameter Denied { get; set; }
        [Parameter] public SwitchParameter ImportFailed { get; set; }
        [Parameter] [ValidateRange(1, 8760)] public int? CrlWithinHours { get; set; }
        [Parameter] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }
        [Parameter] public SwitchParameter Digest { get; set; }

        protected override void ProcessRecord() => Run(() => new NotificationOperations(Workspace, Sink).Add(new NotificationRuleRequest
        {
            Name = Name,
            Channel = ParameterSetName switch { WebhookSet => NotificationChannel.Webhook, CommandSet => NotificationChannel.Command, _ => NotificationChannel.Smtp },
            SmtpServer = SmtpServer, From = From, To = To, Tls = Tls, Username = Credential?.UserName, Password = Plain(Credential?.Password),
            WebhookUrl = Plain(WebhookUrl), Command = Command, Connector = Connector, Digest = Digest,
            Triggers = new NotificationTriggers
            {
                ExpiringDays = ExpiringDays, PendingOlderThanHours = PendingOlderThanHours, Issued = Issued, Denied = Denied, ImportFailed = ImportFailed, CrlWithinHours = CrlWithinHours,
            },
        }));
    }
}
