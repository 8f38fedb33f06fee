using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Remove, "CaNotificationRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveCaNotificationRuleCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)] public string[] Name { get; set; } = new string[0];

        protected override void ProcessRecord() => Run(() => new NotificationOperations(Workspace, Sink).Remove(Name));
    }
}
