
namespace PSCertConnector.Core
{
    /// <summary>
    /// An enrollment endpoint a policy service lists for a CA (CEP's cAs/cA/uris): where to enroll, with which
    /// authentication, at which priority (lower first), and whether it only renews.
    /// </summary>
    public sealed record EnrollmentService
    {
        public string CaSubject { get; init; } = "";
        public string Uri { get; init; } = "";
        /// <summary>Anonymous, Kerberos, UsernamePassword or Certificate (MS-XCEP clientAuthentication 1, 2, 4, 8).</summary>
        public string Authentication { get; init; } = "";
        public int Priority { get; init; }
        public bool RenewalOnly { get; init; }
    }
}
