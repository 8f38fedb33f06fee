using System.IO;
using System.Management.Automation;
using PSCertConnector.Core;
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
            var operations = new ConfigurationOperations(Workspace, Sink);
            if (Path != null) operations.ExportToFile(Path, Force);
            else WriteObject(ConfigurationOperations.ToJson(new ConfigurationOperations(Workspace, new SinkWithoutObjects(Sink)).Export()));
        });
    }
}
