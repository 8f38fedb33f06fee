using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Connectors.Adcs;
using PSCertConnector.Core.Connectors.DigiCert;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// A CA manager's approve and deny for connectors that point at this Lab. Real AD CS (over CES or Web Enrollment)
    /// and DigiCert take those decisions on their own consoles, so the production connectors have none; code that holds
    /// the Lab in its own process (its tests, a host) registers these types over the HTTPS connector types, and the
    /// decision is taken on the Lab's CA itself.
    /// </summary>
    public static class LabApproval
    {
        /// <summary>The connector types whose servers the Lab emulates and whose requests can wait for a CA manager.</summary>
        public static readonly string[] DecidedOnTheLab = { CesConnector.TypeName, WebEnrollmentConnector.TypeName, DigiCertOneConnector.TypeName };

        /// <summary>The default registry, with approve and deny on this Lab for the types it emulates.</summary>
        public static ConnectorRegistry Registry(LabAuthority authority)
        {
            var registry = ConnectorRegistry.CreateDefault();
            foreach (var name in DecidedOnTheLab) registry.Register(new LabApprovalConnectorType(registry.Get(name), authority));
            return registry;
        }
    }
}
