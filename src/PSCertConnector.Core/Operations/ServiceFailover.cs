using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// Several services for one domain (the SecTrail model): connectors of the same type and domain back each
    /// other up. The connector named is tried first, then the others by ascending priority (then name). Only
    /// an unreachable service, a timeout or a server error moves on to the next; a denial, a bad password or
    /// an untrusted certificate is an answer and stops there.
    /// </summary>
    internal static class ServiceFailover
    {
        /// <param name="sameCaOnly">
        /// True when the call is about an existing request: only services naming the same CA (caName) can answer
        /// for its request id, so only those are tried.
        /// </param>
        public static IReadOnlyList<ConnectorDefinition> Candidates(Workspace workspace, ConnectorDefinition first, bool sameCaOnly)
        {
            var list = new List<ConnectorDefinition> { first };
            if (string.IsNullOrEmpty(first.Domain)) return list;
            var caName = CaName(first);
            list.AddRange(workspace.Store.ListConnectors()
                .Where(c => !c.Name.Equals(first.Name, StringComparison.OrdinalIgnoreCase)
                            && c.Type.Equals(first.Type, StringComparison.OrdinalIgnoreCase)
                            && string.Equals(c.Domain, first.Domain, StringComparison.OrdinalIgnoreCase)
                            && (!sameCaOnly || (caName != null && string.Equals(CaName(c), caName, StringComparison.OrdinalIgnoreCase))))
                .OrderBy(c => c.Priority).ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase));
            return list;
        }

        public static (T Result, ConnectorDefinition Used) Run<T>(Workspace workspace, ICommandSink sink, ConnectorDefinition first, bool sameCaOnly,
            Func<ICaConnector, T> action)
        {
            // A service that already failed in this run is tried last, and not warned about twice.
            var candidates = Candidates(workspace, first, sameCaOnly).OrderBy(c => workspace.FailedServices.Contains(c.Name)).ToList();
            var failures = new List<string>();
            ServiceUnavailableException? answerLost = null; // a failure after which that service may still have acted
            for (int i = 0; i < candidates.Count; i++)
            {
                var candidate = candidates[i];
                try
                {
                    return (action(workspace.Connect(candidate)), candidate);
                }
                catch (ServiceUnavailableException ex)
                {
                    if (candidates.Count == 1) throw;
                    failures.Add($"'{candidate.Name}': {ex.Message}");
                    if (answerLost == null && SubmissionOutcome.MayHaveReachedCa(ex)) answerLost = ex;
                    if (i + 1 < candidates.Count && workspace.FailedServices.Add(candidate.Name))
                        sink.WriteWarning($"Connector '{candidate.Name}' (priority {candidate.Priority}) failed: {ex.Message} Trying '{candidates[i + 1].Name}' (priority {candidates[i + 1].Priority})." +
                            (ex.ErrorId == "ServiceTimeout" ? $" '{candidate.Name}' may still have received the request: look for a duplicate among its CA's pending or issued requests." : ""));
                }
            }
            throw new ServiceUnavailableException("AllServicesFailed", FailureCategory.ConnectionError,
                $"All {candidates.Count} services for domain '{first.Domain}' failed: {string.Join(" ", failures)}", answerLost) { Target = first.Domain };
        }

        private static string? CaName(ConnectorDefinition definition) =>
            definition.Settings.FirstOrDefault(s => s.Key.Equals("caName", StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } name ? name : null;
    }
}
