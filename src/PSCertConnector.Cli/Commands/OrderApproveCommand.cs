using System.Collections.Generic;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class OrderApproveCommand : OrderActionCommand
    {
        public OrderApproveCommand() : base("order approve", "Approve pending requests on the CA (order ids, or --connector and --request-id).", destructive: false, everyInState: null) { }

        protected override void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders) => operations.Approve(orders);
    }
}
