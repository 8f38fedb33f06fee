using System.Security.Cryptography.X509Certificates;

namespace PSCertConnector.Core.Operations
{
    public sealed record InstalledCertificate(string Thumbprint, string Subject, StoreLocation StoreLocation, string StoreName, bool HasPrivateKey);
}
