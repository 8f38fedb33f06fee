
namespace PSCertConnector.Core.Operations
{
    /// <summary>How a user names a certificate to act on: serial (optionally on one connector) or thumbprint.</summary>
    public sealed record CertificateSelector(string? SerialNumber, string? Thumbprint, string? Connector)
    {
        public override string ToString() => Thumbprint ?? SerialNumber ?? "";
    }
}
