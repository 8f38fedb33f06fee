using System.Collections.Generic;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>A template as CEP describes it, with the raw flags kept for callers that need more than CaTemplate.</summary>
    public sealed record XcepPolicy(CaTemplate Template, IReadOnlyList<int> CaReferences, int EnrollmentFlags, int PrivateKeyFlags,
        int SubjectNameFlags, int GeneralFlags, int? KeySpec, bool AutoEnroll);
}
