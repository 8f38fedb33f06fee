namespace PSCertConnector.Core.Store
{
    /// <summary>
    /// Where a certificate was put, so its successor goes to the same place: a certificate store ("CurrentUser\My") or a
    /// file written by an export (its path, format, chain and PFX protection).
    /// </summary>
    public sealed record DeploymentRecord
    {
        public string Thumbprint { get; init; } = "";
        public DeploymentKind Kind { get; init; }
        /// <summary>"CurrentUser\My" for a store, the full path for a file.</summary>
        public string Target { get; init; } = "";
        /// <summary>For a file: Pem, Der or Pfx.</summary>
        public string? Format { get; init; }
        public bool IncludesChain { get; init; }
        /// <summary>For a PFX: Modern or Legacy.</summary>
        public string? Protection { get; init; }
    }
}
