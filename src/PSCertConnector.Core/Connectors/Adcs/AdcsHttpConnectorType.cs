using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Connectors.Adcs
{
    /// <summary>What the two AD CS HTTPS connector types share: settings parsing, no state of their own on disk.</summary>
    internal abstract class AdcsHttpConnectorType : IConnectorType
    {
        public abstract string Name { get; }
        public abstract string Description { get; }
        public abstract IReadOnlyDictionary<string, string> Settings { get; }
        protected abstract bool HostRequired(ConnectorDefinition definition);

        public void Validate(ConnectorDefinition definition) => Parse(definition);

        internal AdcsServiceSettings Parse(ConnectorDefinition definition)
        {
            var settings = AdcsServiceSettings.Parse(definition, Name, Settings, HostRequired(definition));
            foreach (var key in new[] { "cepUrl", "cesUrl" })
                if (settings.Get(key) is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
                    throw AdcsServiceSettings.Invalid(key, url, "an absolute https:// URL");
            return settings;
        }

        public ConnectorDefinition Prepare(ConnectorDefinition definition, string home) => definition;

        public IReadOnlyCollection<string> FixedSettings { get; } = Array.Empty<string>();

        public ICaConnector Open(ConnectorDefinition definition, ConnectorSecrets secrets, string home, ISecretProtector protector, bool creating) =>
            Create(new AdcsHttpChannel(Parse(definition), secrets), secrets);

        internal abstract ICaConnector Create(AdcsHttpChannel channel, ConnectorSecrets secrets);

        protected static IReadOnlyDictionary<string, string> With(params (string Key, string Text)[] extra)
        {
            var all = AdcsServiceSettings.Common.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
            foreach (var (key, text) in extra) all[key] = text;
            return all;
        }
    }
}
