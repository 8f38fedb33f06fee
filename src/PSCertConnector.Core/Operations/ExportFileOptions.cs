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
    }
}
