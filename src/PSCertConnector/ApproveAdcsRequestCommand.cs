using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsLifecycle.Approve, "AdcsRequest", SupportsShouldProcess = true, DefaultParameterSetName = "Id")]
    [OutputType(typeof(OrderRecord))]
    public sealed class ApproveAdcsRequestCommand : OrderCmdlet
    {
        /// <summary>Approve even a request the approval checks found something in; it is warned about and logged.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Approve(SelectedOrders(operations), overFindings: Force);
        });
    }
}
