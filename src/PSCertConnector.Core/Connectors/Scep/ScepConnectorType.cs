using System;
using System.Collections.Generic;
using System.Text;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Scep
{
    /// <summary>Any SCEP server (RFC 8894); the connector's secret, when set, is the static challenge password it asks for.</summary>
    internal sealed class ScepConnectorType : IConnectorType
    {
        public const string TypeName = "scep";

        public string Name => TypeName;
        public string Description => "A SCEP server (RFC 8894): enroll with the challenge password (the connector's secret), poll pending requests, CA certificates and CRL.";
        public IReadOnlyDictionary<string, string> Settings => ScepSettings.Known;
        public IReadOnlyCollection<string> FixedSettings { get; } = Array.Empty<string>();

        public void Validate(ConnectorDefinition definition) => ScepSettings.Parse(definition, Name);
        public ConnectorDefinition Prepare(ConnectorDefinition definition, string home) => definition;

        public ICaConnector Open(ConnectorDefinition definition, ConnectorSecrets secrets, string home, ISecretProtector protector, bool creating)
        {
            var settings = ScepSettings.Parse(definition, Name);
            var challenge = secrets.Secret == null ? null : Encoding.UTF8.GetString(secrets.Secret);
            return new ScepConnector(Name, new ScepHttpChannel(settings, secrets), settings.Endpoint, _ => challenge, secrets.RequesterKey,
                settings.CaFingerprint, settings.CaIdentifier, settings.Get("template"));
        }
    }
}
