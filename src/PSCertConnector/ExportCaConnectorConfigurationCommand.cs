using System.IO;
using System.Management.Automation;
using System.Text;
using PSCertConnector.Core;
using PSCertConnector.Core.Configuration;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>Writes the connectors and notification rules as JSON, without secrets (each named by an environment variable).</summary>
    [Cmdlet(VerbsData.Export, "CaConnectorConfiguration", SupportsShouldProcess = true)]
    [OutputType(typeof(string), typeof(FileInfo))]
    public sealed class ExportCaConnectorConfigurationCommand : PscCmdlet
    {
        /// <summary>The file to write; without it the JSON is the output.</summary>
        [Parameter(Position = 0)] public string? Path { get; set; }
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var document = new ConfigurationOperations(Workspace, new SinkWithoutObjects(Sink)).Export();
            var json = ConfigurationOperations.ToJson(document);
            if (Path == null) { WriteObject(json); return; }
            var full = Workspace.FullPath(Path);
            if (File.Exists(full) && !Force)
                throw new PscException("FileExists", FailureCategory.ResourceExists, $"The file '{full}' exists; give -Force to overwrite it.") { Target = full };
            if (!ShouldProcess(full, "Write the connector configuration")) return;
            AtomicFile.Write(full, Encoding.UTF8.GetBytes(json + "\n"));
            WriteObject(new FileInfo(full));
        });
    }
}
