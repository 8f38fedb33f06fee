using System;
using System.Collections.Generic;
using System.Text;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    internal sealed class DigiCertOneConnectorType : IConnectorType
    {
        public string Name => DigiCertOneConnector.TypeName;
        public string Description => "DigiCert ONE / Trust Lifecycle Manager (mpki REST API): profiles, enrollment, pickup, revocation and import.";
        public IReadOnlyDictionary<string, string> Settings => DigiCertOneSettings.Known;
        public IReadOnlyCollection<string> FixedSettings { get; } = Array.Empty<string>();
        public void Validate(ConnectorDefinition definition) => DigiCertOneSettings.Parse(definition);
        public ConnectorDefinition Prepare(ConnectorDefinition definition, string home) => definition;

        public ICaConnector Open(ConnectorDefinition definition, ConnectorSecrets secrets, string home, ISecretProtector protector, bool creating)
        {
            var settings = DigiCertOneSettings.Parse(definition);
            var options = settings.TransportOptions(secrets.ProxyCredential);
            (string, string)? header = null;
            if (settings.UseClientCertificate)
                options = options with { ClientCertificate = settings.LoadClientCertificate(secrets.Secret == null ? null : Encoding.UTF8.GetString(secrets.Secret)) };
            else
                header = ("x-api-key", DigiCertJsonChannel.RequireApiKey(secrets.Secret, definition.Name, "DigiCert ONE"));
            return new DigiCertOneConnector(settings, new DigiCertJsonChannel(new HttpService(options), definition.Name, header));
        }
    }
}
