using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Where and how to write an export.</summary>
    public sealed record ExportFileOptions
    {
        public string Path { get; init; } = "";
        /// <summary>Replace a file that exists (PowerShell -Force, CLI --force); otherwise an existing file is an error.</summary>
        public bool Overwrite { get; init; }
        public Pkcs12Protection PfxProtection { get; init; } = Pkcs12Protection.Modern;
        /// <summary>Encrypt the PFX to this certificate (CMS EnvelopedData, <see cref="PfxEnvelope"/>) instead of a password.</summary>
        public byte[]? Recipient { get; init; }

        internal static PscException PasswordAndRecipient() =>
            new PscException("PasswordAndRecipient", FailureCategory.InvalidArgument, "Protect the PFX with a password or encrypt it to a recipient certificate, not both.");

        /// <summary>How the PFX is protected, in words for the report.</summary>
        public string DescribePfx() => Recipient == null ? Pkcs12Writer.Describe(PfxProtection)
            : $"CMS EnvelopedData to '{CertificateReader.Read(Recipient).Subject}' (AES-256-CBC, RSA key transport)";
    }
}
