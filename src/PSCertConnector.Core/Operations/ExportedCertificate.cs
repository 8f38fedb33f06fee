using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    public sealed record ExportedCertificate(CertificateRecord Certificate, ExportFormat Format, byte[] Content, bool IncludesPrivateKey);
}
