using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsLifecycle.Install, "RaCertificate", SupportsShouldProcess = true)]
    [OutputType(typeof(string))]
    public sealed class InstallRaCertificateCommand : CertificateCmdlet
    {
        [Parameter] public StoreLocation? StoreLocation { get; set; }
        [Parameter] public string StoreName { get; set; } = "My";

        protected override void ProcessRecord() => Run(() =>
        {
            var installed = new InstallOperation(Workspace, new SinkWithoutObjects(Sink)).Install(Selector(), StoreLocation, StoreName);
            if (installed != null) WriteOutput(installed.Thumbprint);
        });
    }
}
