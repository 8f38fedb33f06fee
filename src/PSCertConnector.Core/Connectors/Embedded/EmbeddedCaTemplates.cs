using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Connectors.Embedded
{
    /// <summary>The embedded CA's templates, modelled on the AD CS defaults of the same names.</summary>
    public static class EmbeddedCaTemplates
    {
        private const int DigitalSignature = 0x80, KeyEncipherment = 0x20;
        private const string OidBase = "1.3.6.1.4.1.311.21.8.7215849.4151207.13418264.1572832.8839716.150";

        public static readonly IReadOnlyList<CaTemplate> All = new[]
        {
            Template("WebServer", "Web Server", 1, TimeSpan.FromDays(730), new[] { Oids.ServerAuth }),
            Template("User", "User", 2, TimeSpan.FromDays(365), new[] { Oids.EncryptingFileSystem, Oids.EmailProtection, Oids.ClientAuth }),
            Template("Machine", "Computer", 3, TimeSpan.FromDays(365), new[] { Oids.ClientAuth, Oids.ServerAuth }),
            Template("RA", "Registration Authority (client authentication)", 4, TimeSpan.FromDays(730), new[] { Oids.ClientAuth }),
            Template("WebServerApproval", "Web Server (CA manager approval)", 5, TimeSpan.FromDays(730), new[] { Oids.ServerAuth }) with { RequiresApproval = true },
            // The two template shapes that let an enrollee become anyone (ESC1: client authentication with the subject from
            // the request) or get a certificate for any use (ESC2), held back by CA-manager approval: what the approval checks catch.
            Template("ClientAuthApproval", "Client authentication, subject from the request (CA manager approval)", 6, TimeSpan.FromDays(365), new[] { Oids.ClientAuth }) with { RequiresApproval = true },
            Template("AnyPurposeApproval", "Any purpose (CA manager approval)", 7, TimeSpan.FromDays(365), new[] { Oids.AnyExtendedKeyUsage }) with { RequiresApproval = true },
        };

        private static CaTemplate Template(string name, string display, int n, TimeSpan validity, string[] ekus) => new CaTemplate
        {
            Name = name,
            DisplayName = display,
            Oid = OidBase + "." + n,
            SchemaVersion = 2,
            MajorRevision = 100,
            Validity = validity,
            RenewalPeriod = TimeSpan.FromDays(42),
            MinimumKeySize = 2048,
            ExtendedKeyUsages = ekus,
            KeyUsage = DigitalSignature | KeyEncipherment,
        };

        /// <summary>Finds a template by its name, its display name or its OID, as AD CS accepts each.</summary>
        public static CaTemplate? Find(string nameDisplayOrOid) =>
            All.FirstOrDefault(t => string.Equals(t.Name, nameDisplayOrOid, StringComparison.OrdinalIgnoreCase))
            ?? All.FirstOrDefault(t => string.Equals(t.DisplayName, nameDisplayOrOid, StringComparison.OrdinalIgnoreCase))
            ?? All.FirstOrDefault(t => string.Equals(t.Oid, nameDisplayOrOid, StringComparison.Ordinal));
    }
}
