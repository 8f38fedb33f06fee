using System.Collections.Generic;
using System.Linq;

namespace PSCertConnector.Core.Protocols
{
    public sealed record XcepPolicyResponse(string? PolicyId, string? PolicyFriendlyName, int? NextUpdateHours, bool PoliciesNotChanged,
        IReadOnlyList<XcepPolicy> Policies, IReadOnlyList<XcepCa> CertificationAuthorities)
    {
        /// <summary>
        /// The CES URIs to try for an authentication, by ascending priority: the CA's URIs whose
        /// clientAuthentication matches, skipping renewal-only ones unless renewing.
        /// </summary>
        public IReadOnlyList<(XcepCa Ca, XcepCaUri Uri)> EnrollmentUris(AdcsAuthentication authentication, bool renewing = false)
        {
            var code = AdcsXml.ClientAuthenticationCode(authentication);
            return CertificationAuthorities
                .SelectMany(ca => ca.Uris.Select(uri => (Ca: ca, Uri: uri)))
                .Where(x => x.Uri.ClientAuthentication == code && (renewing || !x.Uri.RenewalOnly))
                .OrderBy(x => x.Uri.Priority)
                .ToList();
        }
    }
}
