using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Store;

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

        public ICaConnector Open(ConnectorDefinition definition, byte[]? secret, string home, ISecretProtector protector, bool creating) =>
            Create(new AdcsHttpChannel(Parse(definition), secret));

        internal abstract ICaConnector Create(AdcsHttpChannel channel);

        protected static IReadOnlyDictionary<string, string> With(params (string Key, string Text)[] extra)
        {
            var all = AdcsServiceSettings.Common.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
            foreach (var (key, text) in extra) all[key] = text;
            return all;
        }
    }

    internal sealed class CesConnectorType : AdcsHttpConnectorType
    {
        public override string Name => CesConnector.TypeName;
        public override string Description => "AD CS through the Certificate Enrollment Policy and Enrollment web services (CEP/CES, SOAP over HTTPS).";

        public override IReadOnlyDictionary<string, string> Settings { get; } = With(
            ("caName", "The CA's name as in its CES path (<caName>_CES_<authentication>); without it the CEP's best CES URI is used."),
            ("cepUrl", "Full CEP URL, when it is not https://<host>/ADPolicyProvider_CEP_<authentication>/service.svc/CEP."),
            ("cesUrl", "Full CES URL, when it is not https://<host>/<caName>_CES_<authentication>/service.svc/CES."));

        protected override bool HostRequired(ConnectorDefinition definition) =>
            !(definition.Settings.Keys.Any(k => k.Equals("cepUrl", StringComparison.OrdinalIgnoreCase))
              && definition.Settings.Keys.Any(k => k.Equals("cesUrl", StringComparison.OrdinalIgnoreCase)));

        internal override ICaConnector Create(AdcsHttpChannel channel) => new CesConnector(channel);
    }

    internal sealed class WebEnrollmentConnectorType : AdcsHttpConnectorType
    {
        public override string Name => WebEnrollmentConnector.TypeName;
        public override string Description => "AD CS Web Enrollment (/certsrv pages over HTTPS): enroll and retrieve; templates are named, not listed.";

        public override IReadOnlyDictionary<string, string> Settings { get; } = With(
            ("caName", "The CA's name, for display and failover grouping (optional)."),
            ("path", "Path of the Web Enrollment pages (default /certsrv)."));

        protected override bool HostRequired(ConnectorDefinition definition) => true;

        internal override ICaConnector Create(AdcsHttpChannel channel) => new WebEnrollmentConnector(channel);
    }
}
