using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Adcs
{
    internal sealed class CesConnectorType : AdcsHttpConnectorType
    {
        public override string Name => CesConnector.TypeName;
        public override string Description => "AD CS through the Certificate Enrollment Policy and Enrollment web services (CEP/CES, SOAP over HTTPS).";

        public override IReadOnlyDictionary<string, string> Settings { get; } = With(
            ("caName", "The CA's name as in its CES path (<caName>_CES_<authentication>); without it the CEP's best CES URI is used."),
            ("cepUrl", "Full CEP URL, when it is not https://<host>/ADPolicyProvider_CEP_<authentication>/service.svc/CEP."),
            ("cesUrl", "Full CES URL, when it is not https://<host>/<caName>_CES_<authentication>/service.svc/CES."));

        protected override bool HostRequired(ConnectorDefinition definition) =>
            !(definition.Settings.Keys.Any(k => k.Equals("cepUrl", StringComparison.OrdinalIgnoreCase))
              && definition.Settings.Keys.Any(k => k.Equals("cesUrl", StringComparison.OrdinalIgnoreCase)));

        internal override ICaConnector Create(AdcsHttpChannel channel, ConnectorSecrets secrets) => new CesConnector(channel);
    }
}
