using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommunications.Receive, "AdcsCertificate", SupportsShouldProcess = true, DefaultParameterSetName = "Id")]
    [OutputType(typeof(CertificateRecord))]
    public sealed class ReceiveAdcsCertificateCommand : OrderCmdlet
    {
        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Fetch(SelectedOrders(operations));
        });
    }
}
