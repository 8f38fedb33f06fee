
namespace PSCertConnector.Core
{
    public static class CapabilityText
    {
        public static string Describe(ConnectorCapabilities capability) => capability switch
        {
            ConnectorCapabilities.Ping => "be tested",
            ConnectorCapabilities.Templates => "list templates",
            ConnectorCapabilities.Enroll => "submit certificate requests",
            ConnectorCapabilities.RetrievePending => "retrieve pending requests",
            ConnectorCapabilities.Approve => "approve pending requests",
            ConnectorCapabilities.Deny => "deny pending requests",
            ConnectorCapabilities.Revoke => "revoke certificates",
            ConnectorCapabilities.ReleaseHold => "release a certificate from hold",
            ConnectorCapabilities.EnumerateIssued => "enumerate the CA's issued certificates for import",
            ConnectorCapabilities.CaCertificates => "return the CA certificates",
            ConnectorCapabilities.Crl => "return the CA's CRL",
            _ => capability.ToString(),
        };
    }
}
