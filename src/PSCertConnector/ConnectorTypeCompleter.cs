using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace PSCertConnector.Commands
{
    /// <summary>Completes template names from the cache of the connector named on the same command line.</summary>
    /// <summary>Completes New-CaConnector -Type with the registered connector types and their descriptions.</summary>
    public sealed class ConnectorTypeCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            foreach (var type in PSCertConnector.Core.Connectors.ConnectorRegistry.CreateDefault().Types)
                if (type.Name.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
                    results.Add(new CompletionResult(type.Name, type.Name, CompletionResultType.ParameterValue, type.Description));
            return results;
        }
    }
}
