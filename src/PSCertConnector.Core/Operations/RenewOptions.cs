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
    }
}
