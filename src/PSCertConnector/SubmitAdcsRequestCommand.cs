using System.Collections;
using System.IO;
using System.Management.Automation;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsLifecycle.Submit, "AdcsRequest", SupportsShouldProcess = true, DefaultParameterSetName = "Csr")]
    [OutputType(typeof(OrderRecord))]
    public sealed class SubmitAdcsRequestCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string Connector { get; set; } = "";

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string? Template { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Csr")] public byte[] Csr { get; set; } = new byte[0];
        [Parameter(Mandatory = true, ParameterSetName = "Path")] public string CsrPath { get; set; } = "";
        [Parameter] public Hashtable? Attribute { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var csr = ParameterSetName == "Path" ? File.ReadAllBytes(GetUnresolvedProviderPathFromPSPath(CsrPath)) : Csr;
            new OrderOperations(Workspace, Sink).Submit(Connector, Template, csr, ToSettings(Attribute));
        });
    }
}
