namespace PSCertConnector.Core.Operations
{
    /// <summary>How certificates are renewed (certconnector renew, Submit-CaRenewal).</summary>
    public sealed record RenewOptions
    {
        /// <summary>The template to ask for instead of the one the certificate was issued from.</summary>
        public string? Template { get; init; }
        /// <summary>Request the new certificate for the key of the old one (it must be kept in the inventory).</summary>
        public bool ReuseKey { get; init; }
        /// <summary>Revoke the predecessor once its successor is in the inventory.</summary>
        public bool RevokeOld { get; init; }
        public RevocationReason RevokeReason { get; init; } = RevocationReason.Superseded;
        /// <summary>The password for PFX files the old certificate was exported to: the successor replaces them.</summary>
        public string? PfxPassword { get; init; }
        /// <summary>A shell command run after each successor is deployed (e.g. reload a service); it gets the PSC_RENEWED_* variables.</summary>
        public string? PostRenewalCommand { get; init; }
        /// <summary>What PowerShell runs after each successor is deployed (the script block of -PostRenewal).</summary>
        public System.Action<RenewalResult>? PostRenewal { get; init; }
        /// <summary>Run by the maintenance pass: a failure is logged as an attempt the next pass retries.</summary>
        public bool Unattended { get; init; }
    }
}
