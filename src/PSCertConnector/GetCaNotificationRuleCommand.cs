using System.Management.Automation;
using PSCertConnector.Core.Notifications;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Get, "CaNotificationRule")]
    [OutputType(typeof(NotificationRule))]
    public sealed class GetCaNotificationRuleCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)] public string? Name { get; set; }

        protected override void ProcessRecord() => Run(() => new NotificationOperations(Workspace, Sink).List(Name));
    }
}
