using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>The user attributes Intune fills a request from (Entra ID's displayName/CN, mail, userPrincipalName).</summary>
    public sealed record IntuneIdentity
    {
        public string? CommonName { get; init; }
        public string? Email { get; init; }
        public string? Upn { get; init; }
        public IntuneSubjectFormat SubjectFormat { get; init; } = IntuneSubjectFormat.CommonName;
        public bool EmailSan { get; init; } = true;
        public bool UpnSan { get; init; } = true;
        /// <summary>Other names as "oid;hex-of-DER-value" (the way the guide gives them).</summary>
        public IReadOnlyList<string> OtherNames { get; init; } = Array.Empty<string>();
    }
}
