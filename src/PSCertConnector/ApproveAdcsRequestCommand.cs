using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsLifecycle.Approve, "AdcsRequest", SupportsShouldProcess = true, DefaultParameterSetName = "Id")]
    [OutputType(typeof(OrderRecord))]
    public sealed class ApproveAdcsRequestCommand : OrderCmdlet
    {
        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Approve(SelectedOrders(operations));
        });
    }
}
