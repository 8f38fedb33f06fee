using System.Management.Automation;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>Shared by the cmdlets that act on one inventory certificate: by thumbprint, or serial (and connector).</summary>
    public abstract class CertificateCmdlet : PscCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)] public string? SerialNumber { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] public string? Thumbprint { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }

        protected CertificateSelector Selector()
        {
            if (SerialNumber == null && Thumbprint == null)
                throw new PscException("CertificateSelectorMissing", FailureCategory.InvalidArgument, "Give -SerialNumber or -Thumbprint, or pipe certificates from Get-CaCertificate.");
            return Thumbprint != null ? new CertificateSelector(null, Thumbprint, Connector) : new CertificateSelector(SerialNumber, null, Connector);
        }
    }
}
