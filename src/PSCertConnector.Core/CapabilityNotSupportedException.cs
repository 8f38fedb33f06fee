
namespace PSCertConnector.Core
{
    /// <summary>A connector was asked for something its transport cannot do.</summary>
    public sealed class CapabilityNotSupportedException : PscException
    {
        public CapabilityNotSupportedException(string connectorType, ConnectorCapabilities capability, string suggestion)
            : base("CapabilityNotSupported", FailureCategory.NotImplemented,
                $"A '{connectorType}' connector cannot {CapabilityText.Describe(capability)}. {suggestion}")
        {
            ConnectorType = connectorType;
            Capability = capability;
        }

        public string ConnectorType { get; }
        public ConnectorCapabilities Capability { get; }
    }
}
