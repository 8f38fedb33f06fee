using System;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>One enrollment URI of a CA as CEP lists it.</summary>
    public sealed record XcepCaUri(int ClientAuthentication, Uri Uri, int Priority, bool RenewalOnly);
}
