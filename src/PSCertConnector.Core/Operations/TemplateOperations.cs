using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    public sealed class TemplateOperations : OperationBase
    {
        public TemplateOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>Writes the connector's templates: from the cache, or from the CA when asked or when nothing is cached.</summary>
        public void Get(string connectorName, bool refresh, string? namePattern = null)
        {
            ForItem(connectorName, () =>
            {
                var definition = Workspace.RequireService(connectorName);
                var regex = namePattern == null ? null : Wildcard.ToRegex(namePattern);
                foreach (var template in Load(definition, refresh))
                    if (regex == null || regex.IsMatch(template.Name) || regex.IsMatch(template.DisplayName))
                        Sink.WriteObject(template);
            });
        }

        /// <summary>
        /// Writes the enrollment endpoints the connector's policy service lists (CES URIs, authentication, priority,
        /// renewal-only), from the cache or, when asked or when nothing is cached, with a template refresh.
        /// </summary>
        public void GetEnrollmentServices(string connectorName, bool refresh)
        {
            ForItem(connectorName, () =>
            {
                var definition = Workspace.RequireService(connectorName);
                var cached = Workspace.Store.GetEnrollmentServices(definition);
                if (refresh || cached.Count == 0)
                {
                    Load(definition, refresh: true);
                    cached = Workspace.Store.GetEnrollmentServices(definition);
                }
                foreach (var service in cached) Sink.WriteObject(service);
            });
        }

        /// <param name="maxAge">When given, a cache with any template older than this is refreshed too.</param>
        internal IReadOnlyList<TemplateRecord> Load(ConnectorDefinition definition, bool refresh, TimeSpan? maxAge = null)
        {
            var cached = Workspace.Store.GetTemplates(definition);
            bool stale = maxAge is { } age && cached.Any(t => DateTimeOffset.UtcNow - t.RefreshedAt > age);
            if (!refresh && !stale && cached.Count > 0) return cached;
            Sink.WriteVerbose($"Fetching templates from connector '{definition.Name}'.");
            // Templates and the service information come from the same policy answer and are cached together.
            var (templates, services) = ServiceFailover.Run(Workspace, Sink, definition, sameCaOnly: false,
                connector => (connector.GetTemplates(Sink.Cancellation), connector.GetEnrollmentServices(Sink.Cancellation))).Result;
            Workspace.Store.ReplacePolicy(definition, templates, services, DateTimeOffset.UtcNow);
            return Workspace.Store.GetTemplates(definition);
        }

        /// <summary>The template by name or display name, refreshing the cache once if it is not there.</summary>
        internal CaTemplate Require(ConnectorDefinition definition, string name)
        {
            CaTemplate? Find(IReadOnlyList<TemplateRecord> list) => FindIn(list, name);
            // Web Enrollment lists no templates: the CA itself judges the name at submit.
            if ((Workspace.Connect(definition).Capabilities & ConnectorCapabilities.Templates) == 0)
                return new CaTemplate { Name = name, DisplayName = name };
            var found = Find(Load(definition, false));
            if (found != null) return found;
            var refreshed = Load(definition, true);
            return Find(refreshed) ?? throw new PscException("TemplateNotFound", FailureCategory.ObjectNotFound,
                $"Connector '{definition.Name}' offers no template named '{name}'. Available: {string.Join(", ", refreshed.Select(t => t.Name))}.") { Target = name };
        }

        /// <summary>The template by name, display name or OID, as AD CS accepts each; null when the list has none.</summary>
        internal static CaTemplate? FindIn(IReadOnlyList<TemplateRecord> list, string name) =>
            list.Select(t => t.Template).FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? list.Select(t => t.Template).FirstOrDefault(t => t.DisplayName.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? list.Select(t => t.Template).FirstOrDefault(t => string.Equals(t.Oid, name, StringComparison.Ordinal));
    }
}
