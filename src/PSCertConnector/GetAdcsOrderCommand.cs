using System.Management.Automation;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Get, "AdcsOrder")]
    [OutputType(typeof(OrderRecord))]
    public sealed class GetAdcsOrderCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)] public long[]? Id { get; set; }
        [Parameter] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }
        [Parameter] public SubmitStatus? Status { get; set; }
        [Parameter] public string? RequestId { get; set; }
        [Parameter] public SwitchParameter Refresh { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            if (Id == null || Id.Length == 0)
                operations.List(new OrderQuery { Connector = Connector, Status = Status, RequestId = RequestId }, Refresh);
            else
                foreach (var id in Id) operations.List(new OrderQuery { Id = id, Connector = Connector, Status = Status }, Refresh);
        });
    }
}
