using System.Collections.Generic;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Core;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class OrderRefreshCommand : OrderActionCommand
    {
        public OrderRefreshCommand() : base("order refresh", "Poll the CA for pending orders (all pending when no id is given).", destructive: false, everyInState: SubmitStatus.Pending) { }

        protected override void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders) => operations.Refresh(orders);
    }
}
