using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Core;

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
            }, SecretBytes(Credential, ApiKey), Credential?.UserName);
        });
    }

    [Cmdlet(VerbsCommon.Find, "AdcsEnrollmentService")]
    [OutputType(typeof(AdEnrollmentService), typeof(CaTemplate))]
    public sealed class FindAdcsEnrollmentServiceCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0)] public string? Server { get; set; }
        [Parameter] [ValidateRange(1, 65535)] public int? LdapPort { get; set; }
        [Parameter] public SwitchParameter UseLdaps { get; set; }
        [Parameter] [Credential] public PSCredential? Credential { get; set; }
        [Parameter] public string? CaName { get; set; }
        [Parameter] public SwitchParameter Template { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var options = DirectoryOptionsFor(Server, LdapPort, UseLdaps, Credential);
            if (Template) new DiscoveryOperations(Workspace, Sink).FindTemplates(options, CaName);
            else new DiscoveryOperations(Workspace, Sink).Find(options, CaName);
        });
    }

    [Cmdlet(VerbsCommon.Get, "CaConnector")]
    [OutputType(typeof(ConnectorDefinition))]
    public sealed class GetCaConnectorCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string? Name { get; set; }

        protected override void ProcessRecord() => Run(() => new ConnectorOperations(Workspace, Sink).List(Name));
    }

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
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            new ConnectorOperations(Workspace, Sink).Update(Name, new ConnectorChanges
            {
                NewName = NewName, Domain = Domain, BusinessUnit = BusinessUnit, Tags = Tag, Priority = Priority, ImportEnabled = ImportEnabled,
                ImportEvery = ImportEvery, ImportEveryUnit = ImportEveryUnit, Settings = Setting == null ? null : ToSettings(Setting),
            }, SecretBytes(Credential, ApiKey), PassThru, Credential?.UserName);
        });
    }

    [Cmdlet(VerbsCommon.Remove, "CaConnector", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveCaConnectorCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string[] Name { get; set; } = new string[0];

        protected override void ProcessRecord() => Run(() => new ConnectorOperations(Workspace, Sink).Remove(Name));
    }

    [Cmdlet(VerbsDiagnostic.Test, "CaConnector")]
    [OutputType(typeof(ConnectorTestReport))]
    public sealed class TestCaConnectorCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string[] Name { get; set; } = new string[0];

        protected override void ProcessRecord() => Run(() => new ConnectorOperations(Workspace, Sink).Test(Name));
    }

    [Cmdlet(VerbsCommon.Get, "CaEnrollmentService")]
    [OutputType(typeof(EnrollmentServiceRecord))]
    public sealed class GetCaEnrollmentServiceCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string Connector { get; set; } = "";

        [Parameter] public SwitchParameter Refresh { get; set; }

        protected override void ProcessRecord() => Run(() => new TemplateOperations(Workspace, Sink).GetEnrollmentServices(Connector, Refresh));
    }

    [Cmdlet(VerbsCommon.Get, "CaTemplate")]
    [OutputType(typeof(TemplateRecord))]
    public sealed class GetCaTemplateCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string Connector { get; set; } = "";

        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string? Template { get; set; }

        [Parameter] public SwitchParameter Refresh { get; set; }

        protected override void ProcessRecord() => Run(() => new TemplateOperations(Workspace, Sink).Get(Connector, Refresh, Template));
    }
}
