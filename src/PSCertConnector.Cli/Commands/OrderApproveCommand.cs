using System.Collections.Generic;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class OrderApproveCommand : OrderActionCommand
    {
        public OrderApproveCommand() : base("order approve", "Approve pending requests as a CA manager (order ids, or --connector and --request-id): on an embedded CA, or over DCOM; CES, /certsrv and DigiCert ONE cannot, so decide on the CA and run 'order refresh'.", destructive: false, everyInState: null,
            options: CliOption.Flag("force", "approve even a request the approval checks found something in (shown by 'order list'); it is warned about and logged")) { }

        protected override void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders) => operations.Approve(orders);

        protected override void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders, CommandLine cl) => operations.Approve(orders, overFindings: cl.Has("force"));
    }
}
