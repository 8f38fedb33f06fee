using System.Collections.Generic;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Adcs
{
    internal sealed class WebEnrollmentConnectorType : AdcsHttpConnectorType
    {
        public override string Name => WebEnrollmentConnector.TypeName;
        public override string Description => "AD CS Web Enrollment (/certsrv pages over HTTPS): enroll and retrieve; templates are named, not listed.";

        public override IReadOnlyDictionary<string, string> Settings { get; } = With(
            ("caName", "The CA's name, for display and failover grouping (optional)."),
            ("path", "Path of the Web Enrollment pages (default /certsrv)."));

        protected override bool HostRequired(ConnectorDefinition definition) => true;

        internal override ICaConnector Create(AdcsHttpChannel channel, ConnectorSecrets secrets) => new WebEnrollmentConnector(channel);
    }
}
