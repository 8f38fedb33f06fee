using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Notifications
{
    /// <summary>How a rule's notifications are delivered.</summary>
    public enum NotificationChannel
    {
        /// <summary>Mail through an SMTP server (MailKit), STARTTLS when the server offers it.</summary>
        Smtp,
        /// <summary>A JSON POST with a <c>text</c> field, which Slack and Teams incoming webhooks show as a message.</summary>
        Webhook,
        /// <summary>A command run through the shell with the notification as JSON on its standard input.</summary>
        Command,
    }
}
