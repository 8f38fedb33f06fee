using System.Linq;
using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    public sealed class TemplateNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            // One connector named (Import-CaCertificate takes several: the first one's templates are offered).
            var named = fakeBoundParameters["Connector"];
            var connectorName = named as string ?? (named as object[])?.OfType<string>().FirstOrDefault();
            if (connectorName == null) return results;
            try
            {
                using var workspace = Workspace.OpenForReading();
                var connector = workspace.Store.GetConnector(connectorName);
                if (connector == null) return results;
                foreach (var template in workspace.Store.GetTemplates(connector))
                    if (template.Name.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
                        results.Add(new CompletionResult(template.Name, template.Name, CompletionResultType.ParameterValue, template.DisplayName));
            }
            catch (PscException) { }
            return results;
        }
    }
}
