using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Connectors.Embedded;

namespace PSCertConnector.Core.Operations
{
    public sealed class CrlOperations : OperationBase
    {
        public CrlOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>The connector's current CRL, its signature checked against the CA certificate.</summary>
        public CrlReport? Show(string connectorName, bool publishFirst = false)
        {
            CrlReport? report = null;
            ForItem(connectorName, () =>
            {
                var connector = Workspace.Connect(connectorName);
                byte[] der;
                if (publishFirst)
                {
                    if (connector is not LocalConnector local)
                        throw new CapabilityNotSupportedException(connector.Type, ConnectorCapabilities.Crl,
                            "Publishing a CRL on demand is done on the CA itself (certutil -crl); only the embedded CA publishes from here.");
                    if (!Sink.ShouldProcess($"CRL of connector '{connectorName}'", "Publish")) return;
                    der = local.Authority.PublishCrl();
                    Event(Events.EventIds.CrlPublished, Events.EventChannel.Operational, $"The embedded CA '{connectorName}' published a new CRL.", connectorName);
                }
                else der = connector.GetCrl(Sink.Cancellation);
                byte[]? issuer = (connector.Capabilities & ConnectorCapabilities.CaCertificates) != 0
                    ? connector.GetCaCertificates(Sink.Cancellation).Issuing.RawData : null;
                var info = CrlReader.Read(der, issuer);
                if (info.SignatureValid == false)
                    Sink.WriteWarning($"The CRL from '{connectorName}' does not verify with the CA certificate.");
                report = new CrlReport
                {
                    Connector = connectorName,
                    Issuer = info.Issuer,
                    CrlNumber = info.CrlNumber,
                    ThisUpdate = info.ThisUpdate,
                    NextUpdate = info.NextUpdate,
                    Entries = info.Entries,
                    SignatureValid = info.SignatureValid,
                    Der = der,
                };
                Sink.WriteObject(report);
            });
            return report;
        }
    }
}
