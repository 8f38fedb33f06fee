using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security;
using PSCertConnector.Core;
using PSCertConnector.Core.Configuration;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>Brings the connectors and notification rules to a configuration made by Export-CaConnectorConfiguration.</summary>
    [Cmdlet(VerbsData.Import, "CaConnectorConfiguration", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
    [OutputType(typeof(ConfigurationChange))]
    public sealed class ImportCaConnectorConfigurationCommand : PscCmdlet
    {
        private const string PathSet = "Path";
        private const string JsonSet = "Json";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)] public string Path { get; set; } = "";
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = JsonSet)] public string Json { get; set; } = "";
        /// <summary>Secrets by connector or rule name: PSCredential (its password) or SecureString; they replace the file's references.</summary>
        [Parameter] public Hashtable? Secret { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            string text, what;
            if (ParameterSetName == JsonSet) { text = Json; what = "The JSON given"; }
            else
            {
                var full = Workspace.FullPath(Path);
                if (!File.Exists(full)) throw new PscException("FileNotFound", FailureCategory.ObjectNotFound, $"The file '{full}' does not exist.") { Target = full };
                text = File.ReadAllText(full);
                what = $"'{full}'";
            }
            new ConfigurationOperations(Workspace, Sink).Import(ConfigurationOperations.Parse(text, what), Secrets());
        });

        private Dictionary<string, string>? Secrets()
        {
            if (Secret == null) return null;
            var secrets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in Secret)
            {
                var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
                secrets[entry.Key.ToString() ?? ""] = value switch
                {
                    PSCredential credential => Plain(credential.Password) ?? "",
                    SecureString secure => Plain(secure) ?? "",
                    _ => throw new PscException("InvalidSecret", FailureCategory.InvalidArgument,
                        $"The secret of '{entry.Key}' should be a PSCredential or a SecureString (never plain text).") { Target = entry.Key.ToString() },
                };
            }
            return secrets;
        }
    }
}
