using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// Renews inventory certificates through the connector that issued them; certificates stream in from the pipeline
    /// (Get-CaCertificate -NeedsRenewal | Submit-CaRenewal). ConfirmImpact is High because -RevokeOld revokes.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Submit, "CaRenewal", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(RenewalResult))]
    public sealed class SubmitCaRenewalCommand : CertificateCmdlet
    {
        private int _position;

        /// <summary>Renew every certificate due under its renewal policy (on -Connector when given).</summary>
        [Parameter] public SwitchParameter Due { get; set; }
        [Parameter] [ArgumentCompleter(typeof(TemplateNameCompleter))] public string? Template { get; set; }
        [Parameter] public SwitchParameter ReuseKey { get; set; }
        [Parameter] public SwitchParameter RevokeOld { get; set; }
        [Parameter] public RevocationReason Reason { get; set; } = RevocationReason.Superseded;
        /// <summary>The password for PFX files the old certificate was exported to.</summary>
        [Parameter] public SecureString? PfxPassword { get; set; }
        /// <summary>Runs after each successor is deployed, with the renewal result as $_ (and $args[0]).</summary>
        [Parameter] public ScriptBlock? PostRenewal { get; set; }

        private RenewOptions Options => new RenewOptions
        {
            Template = Template, ReuseKey = ReuseKey, RevokeOld = RevokeOld, RevokeReason = Reason, PfxPassword = Plain(PfxPassword),
            PostRenewal = PostRenewal == null ? null : result => RunPostRenewal(PostRenewal, result),
        };

        // A failing script block is that renewal's error, not the end of the pipeline.
        private static void RunPostRenewal(ScriptBlock script, RenewalResult result)
        {
            try { script.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", result) }, result); }
            catch (RuntimeException ex)
            {
                throw new PscException("PostRenewalCommandFailed", FailureCategory.InvalidOperation, "The post-renewal script block failed: " + ex.Message, ex);
            }
        }

        protected override void ProcessRecord() => Run(() =>
        {
            RenewalOperations.CheckSelection(Due, SerialNumber != null || Thumbprint != null);
            if (Due) return;
            new RenewalOperations(Workspace, Sink).RenewNext(Selector(), Options, _position++, null);
        });

        protected override void EndProcessing() => Run(() =>
        {
            if (Due) new RenewalOperations(Workspace, Sink).RenewDue(Connector, Options);
            else if (_position > 1) new RenewalOperations(Workspace, Sink).FinishProgress(_position, null);
        });
    }
}
