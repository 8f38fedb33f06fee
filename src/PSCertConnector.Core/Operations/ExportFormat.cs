
namespace PSCertConnector.Core.Operations
{
    public enum ExportFormat { Pem, Der, Pfx }
}
