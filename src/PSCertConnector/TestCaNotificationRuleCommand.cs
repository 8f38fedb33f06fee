using System.Management.Automation;
using PSCertConnector.Core.Notifications;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>Sends a test message on each rule, to see that the mail server, webhook or command works.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "CaNotificationRule", SupportsShouldProcess = true)]
    [OutputType(typeof(NotificationRule))]
    public sealed class TestCaNotificationRuleCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)] public string[] Name { get; set; } = new string[0];

        protected override void ProcessRecord() => Run(() => new NotificationOperations(Workspace, Sink).Test(Name));
    }
}
