using System.Collections.Generic;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>A CA in a GetPolicies response: its certificate and the CES URIs that reach it.</summary>
    public sealed record XcepCa(int ReferenceId, byte[]? Certificate, IReadOnlyList<XcepCaUri> Uris, bool EnrollPermission);
}
