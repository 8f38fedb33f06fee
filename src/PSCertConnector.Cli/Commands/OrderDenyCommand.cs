using System.Collections.Generic;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class OrderDenyCommand : OrderActionCommand
    {
        public OrderDenyCommand() : base("order deny", "Deny pending requests as a CA manager (embedded CA, DCOM; elsewhere decide on the CA and run 'order refresh'). Needs --yes.", destructive: true, everyInState: null) { }

        protected override void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders) => operations.Deny(orders);
    }
}
