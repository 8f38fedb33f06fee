using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    /// <summary>Shared by the cmdlets that act on orders: by order id, or by connector and CA request id.</summary>
    public abstract class OrderCmdlet : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")] public long[] Id { get; set; } = new long[0];
        [Parameter(Mandatory = true, ParameterSetName = "RequestId")] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string Connector { get; set; } = "";
        [Parameter(Mandatory = true, ParameterSetName = "RequestId")] public string[] RequestId { get; set; } = new string[0];

        protected System.Collections.Generic.IReadOnlyList<OrderRecord> SelectedOrders(OrderOperations operations) =>
            ParameterSetName == "RequestId" ? operations.Select(Connector, RequestId) : operations.Select(Id);
    }
}
