using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Xml.Linq;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>One enrollment URI of a CA as CEP lists it.</summary>
    public sealed record XcepCaUri(int ClientAuthentication, Uri Uri, int Priority, bool RenewalOnly);
}
