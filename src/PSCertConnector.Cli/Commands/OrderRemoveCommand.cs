using System.Collections.Generic;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class OrderRemoveCommand : OrderActionCommand
    {
        public OrderRemoveCommand() : base("order remove", "Remove orders from the inventory. Needs --yes.", destructive: true, everyInState: null) { }

        protected override void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders) => operations.Remove(orders);
    }
}
