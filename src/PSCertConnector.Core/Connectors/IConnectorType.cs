using System.Collections.Generic;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>A kind of connector: the settings it takes and how to open it.</summary>
    public interface IConnectorType
    {
        string Name { get; }
        string Description { get; }
        /// <summary>Setting names with a one-line description, for help text and validation.</summary>
        IReadOnlyDictionary<string, string> Settings { get; }
        void Validate(ConnectorDefinition definition);
        /// <summary>Fills the settings a new connector defaults, so that a later rename keeps pointing at the same CA.</summary>
        ConnectorDefinition Prepare(ConnectorDefinition definition, string home);
        /// <param name="creating">True only when the connector is being created: a transport may then set up what it needs (the embedded CA).</param>
        ICaConnector Open(ConnectorDefinition definition, ConnectorSecrets secrets, string home, ISecretProtector protector, bool creating);
        /// <summary>Settings fixed once the connector exists (changing them would point it at another CA).</summary>
        IReadOnlyCollection<string> FixedSettings { get; }
    }
}
