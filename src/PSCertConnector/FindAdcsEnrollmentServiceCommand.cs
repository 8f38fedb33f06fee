using System.Management.Automation;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core;

namespace PSCertConnector.Commands
{
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
}
