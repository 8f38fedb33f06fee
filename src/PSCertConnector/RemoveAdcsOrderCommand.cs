using System.Management.Automation;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Remove, "AdcsOrder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Id")]
    [OutputType(typeof(void))]
    public sealed class RemoveAdcsOrderCommand : OrderCmdlet
    {
        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Remove(SelectedOrders(operations));
        });
    }
}
