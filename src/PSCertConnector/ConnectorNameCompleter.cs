using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>Completes connector names from the inventory.</summary>
    public sealed class ConnectorNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            try
            {
                using var workspace = Workspace.OpenForReading();
                foreach (var connector in workspace.Store.ListConnectors())
                    if (connector.Name.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
                        results.Add(new CompletionResult(connector.Name, connector.Name, CompletionResultType.ParameterValue, $"{connector.Name} ({connector.Type})"));
            }
            catch (PscException) { }
            return results;
        }
    }
}
