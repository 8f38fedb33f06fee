using System.Collections.Generic;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Core;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class OrderFetchCommand : OrderActionCommand
    {
        public OrderFetchCommand() : base("order fetch", "Put issued orders' certificates into the inventory (all unfetched issued orders with --all).", destructive: false, everyInState: SubmitStatus.Issued, unfetchedOnly: true, options: new[] { CliOption.Flag("all", "") }) { }

        protected override void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders) => operations.Fetch(orders);
    }
}
