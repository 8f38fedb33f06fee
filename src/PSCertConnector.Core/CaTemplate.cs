using System;
using System.Collections.Generic;

namespace PSCertConnector.Core
{
    /// <summary>A certificate template (AD CS) or profile (DigiCert) as the connector reports it.</summary>
    public sealed record CaTemplate
    {
        public string Name { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string? Oid { get; init; }
        public int SchemaVersion { get; init; } = 2;
        public int MajorRevision { get; init; } = 100;
        public int MinorRevision { get; init; }
        public TimeSpan Validity { get; init; }
        public TimeSpan RenewalPeriod { get; init; }
        public int MinimumKeySize { get; init; } = 2048;
        public bool RequiresApproval { get; init; }
        public bool SubjectFromRequest { get; init; } = true;
        public IReadOnlyList<string> ExtendedKeyUsages { get; init; } = Array.Empty<string>();
        /// <summary>X509KeyUsageFlags value the CA puts in issued certificates.</summary>
        public int KeyUsage { get; init; }
        public bool CanEnroll { get; init; } = true;
        public bool CanAutoEnroll { get; init; }
        /// <summary>The template's raw flag words (msPKI-Enrollment-Flag, -Private-Key-Flag, -Certificate-Name-Flag, flags) as the policy gives them; 0 when unknown.</summary>
        public int EnrollmentFlags { get; init; }
        public int PrivateKeyFlags { get; init; }
        public int SubjectNameFlags { get; init; }
        public int GeneralFlags { get; init; }
        /// <summary>1 = AT_KEYEXCHANGE, 2 = AT_SIGNATURE; null when the policy does not say.</summary>
        public int? KeySpec { get; init; }
    }
}
