using System.Collections;
using System.Management.Automation;
using System.Security;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.New, "CaConnector", SupportsShouldProcess = true, DefaultParameterSetName = SingleSet)]
    [OutputType(typeof(ConnectorDefinition))]
    public sealed class NewCaConnectorCommand : PscCmdlet
    {
        private const string SingleSet = "Single", DiscoverSet = "Discover";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = SingleSet)]
        [Parameter(Position = 0, ParameterSetName = DiscoverSet)]
        [ValidateNotNullOrEmpty] public string Name { get; set; } = "";
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = SingleSet)] [ValidateNotNullOrEmpty] [ArgumentCompleter(typeof(ConnectorTypeCompleter))] public string Type { get; set; } = "";
        [Parameter] public string? Domain { get; set; }
        [Parameter] public string? BusinessUnit { get; set; }
        [Parameter(ParameterSetName = SingleSet)] public string[] Tag { get; set; } = new string[0];
        [Parameter(ParameterSetName = SingleSet)] [ValidateRange(1, 10)] public int Priority { get; set; } = 5;
        [Parameter(ParameterSetName = SingleSet)] [ValidateRange(1, 100000)] public int ImportEvery { get; set; } = 15;
        [Parameter(ParameterSetName = SingleSet)] public ImportFrequencyUnit ImportEveryUnit { get; set; } = ImportFrequencyUnit.Minutes;
        [Parameter(ParameterSetName = SingleSet)] public SwitchParameter NoImport { get; set; }
        [Parameter] public Hashtable? Setting { get; set; }
        [Parameter] [Credential] public PSCredential? Credential { get; set; }
        [Parameter(ParameterSetName = SingleSet)] public SecureString? ApiKey { get; set; }
        [Parameter(ParameterSetName = SingleSet)] [Credential] public PSCredential? ProxyCredential { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = DiscoverSet)] public SwitchParameter Discover { get; set; }
        [Parameter(ParameterSetName = DiscoverSet)] public string? Server { get; set; }
        [Parameter(ParameterSetName = DiscoverSet)] [ValidateRange(1, 65535)] public int? LdapPort { get; set; }
        [Parameter(ParameterSetName = DiscoverSet)] public SwitchParameter UseLdaps { get; set; }
        [Parameter(ParameterSetName = DiscoverSet)] [Credential] public PSCredential? DirectoryCredential { get; set; }
        [Parameter(ParameterSetName = DiscoverSet)] public string? CaName { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            if (Discover)
            {
                new DiscoveryOperations(Workspace, Sink).CreateConnectors(
                    DirectoryOptionsFor(Server, LdapPort, UseLdaps, DirectoryCredential),
                    new DiscoveredConnectorOptions
                    {
                        Prefix = string.IsNullOrEmpty(Name) ? null : Name, CaName = CaName, Domain = Domain, BusinessUnit = BusinessUnit,
                        Settings = ToSettings(Setting), User = Credential?.UserName, Secret = SecretBytes(Credential, null),
                    });
                return;
            }
            new ConnectorOperations(Workspace, Sink).Add(new ConnectorDefinition
            {
                Name = Name, Type = Type, Domain = Domain, BusinessUnit = BusinessUnit, Tags = Tag, Priority = Priority,
                ImportEnabled = !NoImport, ImportEvery = ImportEvery, ImportEveryUnit = ImportEveryUnit, Settings = ToSettings(Setting),
            }, SecretBytes(Credential, ApiKey), Credential?.UserName, SecretBytes(ProxyCredential, null));
        });
    }
}
