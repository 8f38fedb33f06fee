using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace PSCertConnector.Commands
{
    /// <summary>Completes -KeyLength with the lengths that fit the -KeyAlgorithm on the same command line (RSA when none).</summary>
    public sealed class KeyLengthCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var algorithm = PSCertConnector.Core.Pkix.KeyAlgorithm.Rsa;
            if (fakeBoundParameters["KeyAlgorithm"] is { } given) Enum.TryParse(given.ToString(), true, out algorithm);
            foreach (var length in PSCertConnector.Core.Pkix.KeyAlgorithms.ValidLengths(algorithm))
            {
                var text = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (text.StartsWith(wordToComplete ?? "", StringComparison.Ordinal))
                    yield return new CompletionResult(text, text, CompletionResultType.ParameterValue, $"{algorithm} {text}");
            }
        }
    }
}
