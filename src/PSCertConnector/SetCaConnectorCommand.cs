using System.Collections;
using System.Management.Automation;
using System.Security;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.Set, "CaConnector", SupportsShouldProcess = true)]
    [OutputType(typeof(ConnectorDefinition))]
    public sealed class SetCaConnectorCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string Name { get; set; } = "";
        [Parameter] public string? NewName { get; set; }
        [Parameter] public string? Domain { get; set; }
        [Parameter] public string? BusinessUnit { get; set; }
        [Parameter] public string[]? Tag { get; set; }
        [Parameter] [ValidateRange(1, 10)] public int? Priority { get; set; }
        [Parameter] public bool? ImportEnabled { get; set; }
        [Parameter] [ValidateRange(1, 100000)] public int? ImportEvery { get; set; }
        [Parameter] public ImportFrequencyUnit? ImportEveryUnit { get; set; }
        [Parameter] public Hashtable? Setting { get; set; }
        [Parameter] [Credential] public PSCredential? Credential { get; set; }
        [Parameter] public SecureString? ApiKey { get; set; }
        [Parameter] [Credential] public PSCredential? ProxyCredential { get; set; }
        [Parameter] public SwitchParameter ClearProxyAccount { get; set; }
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            new ConnectorOperations(Workspace, Sink).Update(Name, new ConnectorChanges
            {
                NewName = NewName, Domain = Domain, BusinessUnit = BusinessUnit, Tags = Tag, Priority = Priority, ImportEnabled = ImportEnabled,
                ImportEvery = ImportEvery, ImportEveryUnit = ImportEveryUnit, Settings = Setting == null ? null : ToSettings(Setting),
                ProxySecret = SecretBytes(ProxyCredential, null),
                ClearProxySecret = ClearProxyAccount,
            }, SecretBytes(Credential, ApiKey), PassThru, Credential?.UserName);
        });
    }
}
