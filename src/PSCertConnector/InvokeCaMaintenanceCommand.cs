using System.Management.Automation;
using System.Security;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// One maintenance pass (the command a scheduled task, a DSC configuration or an Azure Automation runbook runs):
    /// due imports, pending orders, issued orders, due renewals, embedded-CA CRLs and notifications.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "CaMaintenance", SupportsShouldProcess = true)]
    [OutputType(typeof(MaintenanceReport))]
    public sealed class InvokeCaMaintenanceCommand : PscCmdlet
    {
        /// <summary>How long a claimed import is held between two pages before another host may take it over.</summary>
        [Parameter] [ValidateRange(1, 86400)] public int LeaseSeconds { get; set; } = 600;
        /// <summary>The password for PFX files renewed certificates were exported to.</summary>
        [Parameter] public SecureString? PfxPassword { get; set; }
        /// <summary>A shell command run after each renewed certificate is deployed.</summary>
        [Parameter] public string? PostRenewalCommand { get; set; }

        protected override void ProcessRecord() => Run(() => new MaintenanceOperation(Workspace, Sink).RunOnce(new MaintenanceOptions
        {
            ImportLease = System.TimeSpan.FromSeconds(LeaseSeconds),
            Renewal = new RenewOptions { PfxPassword = Plain(PfxPassword), PostRenewalCommand = PostRenewalCommand },
        }));
    }
}
