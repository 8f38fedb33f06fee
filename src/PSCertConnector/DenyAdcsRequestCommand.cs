using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsLifecycle.Deny, "AdcsRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Id")]
    [OutputType(typeof(OrderRecord))]
    public sealed class DenyAdcsRequestCommand : OrderCmdlet
    {
        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Deny(SelectedOrders(operations));
        });
    }
}
