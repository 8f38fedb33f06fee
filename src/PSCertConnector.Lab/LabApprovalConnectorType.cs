using System.Collections.Generic;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Lab
{
    /// <summary>A production connector type, with the Lab's CA-manager decisions added to the connectors it opens.</summary>
    internal sealed class LabApprovalConnectorType : IConnectorType
    {
        private readonly IConnectorType _inner;
        private readonly LabAuthority _authority;

        public LabApprovalConnectorType(IConnectorType inner, LabAuthority authority)
        {
            _inner = inner;
            _authority = authority;
        }

        public string Name => _inner.Name;
        public string Description => _inner.Description;
        public IReadOnlyDictionary<string, string> Settings => _inner.Settings;
        public IReadOnlyCollection<string> FixedSettings => _inner.FixedSettings;
        public void Validate(ConnectorDefinition definition) => _inner.Validate(definition);
        public ConnectorDefinition Prepare(ConnectorDefinition definition, string home) => _inner.Prepare(definition, home);

        public ICaConnector Open(ConnectorDefinition definition, ConnectorSecrets secrets, string home, ISecretProtector protector, bool creating) =>
            new LabApprovalConnector(_inner.Open(definition, secrets, home, protector, creating), _authority);
    }
}
