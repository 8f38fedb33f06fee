using System;
using System.Collections.Generic;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    internal sealed class CertCentralConnectorType : IConnectorType
    {
        public string Name => CertCentralConnector.TypeName;
        public string Description => "DigiCert CertCentral (Services API v2): products, orders, download, revocation with approval, and import of status changes.";
        public IReadOnlyDictionary<string, string> Settings => CertCentralSettings.Known;
        public IReadOnlyCollection<string> FixedSettings { get; } = Array.Empty<string>();
        public void Validate(ConnectorDefinition definition) => CertCentralSettings.Parse(definition);
        public ConnectorDefinition Prepare(ConnectorDefinition definition, string home) => definition;

        public ICaConnector Open(ConnectorDefinition definition, ConnectorSecrets secrets, string home, ISecretProtector protector, bool creating)
        {
            var settings = CertCentralSettings.Parse(definition);
            var key = DigiCertJsonChannel.RequireApiKey(secrets.Secret, definition.Name, "CertCentral");
            return new CertCentralConnector(settings, new DigiCertJsonChannel(new HttpService(settings.TransportOptions(secrets.ProxyCredential)), definition.Name, ("X-DC-DEVKEY", key)));
        }
    }
}
