
namespace PSCertConnector.Core.Operations
{
    /// <summary>A certificate written to a file: what is in it and where it went.</summary>
    public sealed record ExportedFile
    {
        public string Path { get; init; } = "";
        public ExportFormat Format { get; init; }
        public string Subject { get; init; } = "";
        public string SerialNumber { get; init; } = "";
        public string Thumbprint { get; init; } = "";
        public string Connector { get; init; } = "";
        public bool IncludesChain { get; init; }
        public bool IncludesPrivateKey { get; init; }
        /// <summary>How a PFX is protected (e.g. "AES-256-CBC, PBKDF2-HMAC-SHA256, MAC HMAC-SHA256"); empty for PEM and DER.</summary>
        public string Protection { get; init; } = "";
        public long Length { get; init; }
    }
}
