using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.ActiveDirectory
{
    /// <summary>
    /// Reads AD CS objects (pKIEnrollmentService, pKICertificateTemplate) from their raw attributes. A malformed
    /// object or value is skipped with a warning that names it; nothing here throws on directory content.
    /// </summary>
    public static class AdcsDirectoryReader
    {
        public static readonly string[] EnrollmentServiceAttributes =
            { "cn", "displayName", "dNSHostName", "cACertificate", "certificateTemplates", "msPKI-Enrollment-Servers" };

        public static readonly string[] TemplateAttributes =
        {
            "cn", "displayName", "flags", "revision", "msPKI-Template-Minor-Revision", "msPKI-Template-Schema-Version",
            "msPKI-Cert-Template-OID", "msPKI-Enrollment-Flag", "msPKI-Certificate-Name-Flag", "msPKI-Private-Key-Flag",
            "msPKI-Minimal-Key-Size", "pKIDefaultKeySpec", "pKIKeyUsage", "pKIExtendedKeyUsage", "pKIExpirationPeriod", "pKIOverlapPeriod",
        };

        public static AdEnrollmentService? ReadEnrollmentService(DirectoryObject entry, ICollection<string> warnings)
        {
            var name = entry.Name;
            var host = entry.Text("dNSHostName");
            var der = entry.Binary("cACertificate");
            if (host == null || der == null)
            {
                warnings.Add($"Enrollment service '{name}' ({entry.DistinguishedName}) was skipped: it has no " +
                             (host == null && der == null ? "dNSHostName and no cACertificate" : host == null ? "dNSHostName" : "cACertificate") + ".");
                return null;
            }
            Pkix.CertificateDetails certificate;
            try { certificate = Pkix.CertificateReader.Read(der); }
            catch (PscException ex)
            {
                warnings.Add($"Enrollment service '{name}' ({entry.DistinguishedName}) was skipped: its cACertificate is not a certificate ({ex.Message}).");
                return null;
            }
            var endpoints = new List<EnrollmentService>();
            foreach (var value in entry.Texts("msPKI-Enrollment-Servers"))
                if (ReadEndpoint(value, certificate.Subject, name, warnings) is { } endpoint) endpoints.Add(endpoint);
            return new AdEnrollmentService
            {
                Name = name,
                DisplayName = entry.Text("displayName") ?? name,
                DnsHostName = host,
                DistinguishedName = entry.DistinguishedName,
                CaCertificate = der,
                CaSubject = certificate.Subject,
                CaThumbprint = certificate.ThumbprintSha1,
                Templates = entry.Texts("certificateTemplates").Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
                Endpoints = endpoints.OrderBy(e => e.Priority).ThenBy(e => e.Uri, StringComparer.OrdinalIgnoreCase).ToList(),
            };
        }

        /// <summary>One msPKI-Enrollment-Servers value: priority\nauthFlags\nrenewalOnly\nURI[\nkeyBasedRenewal].</summary>
        public static EnrollmentService? ReadEndpoint(string value, string caSubject, string caName, ICollection<string> warnings)
        {
            var fields = value.Replace("\r\n", "\n").Split('\n');
            string Shown() => value.Replace("\r", "").Replace("\n", "\\n");
            if (fields.Length < 4)
            {
                warnings.Add($"A CES endpoint of '{caName}' was skipped: '{Shown()}' has {fields.Length} of the 4 fields priority, authentication, renewal-only and URL.");
                return null;
            }
            if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var priority)
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var authFlags)
                || fields[2] is not ("0" or "1"))
            {
                warnings.Add($"A CES endpoint of '{caName}' was skipped: '{Shown()}' should start with a priority, an authentication number and 0 or 1.");
                return null;
            }
            if (!Uri.TryCreate(fields[3].Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                warnings.Add($"A CES endpoint of '{caName}' was skipped: '{fields[3]}' is not an https:// URL.");
                return null;
            }
            return new EnrollmentService
            {
                CaSubject = caSubject,
                Uri = uri.AbsoluteUri,
                Authentication = AdcsXml.AuthenticationName(authFlags),
                Priority = priority,
                RenewalOnly = fields[2] == "1",
            };
        }

        public static CaTemplate? ReadTemplate(DirectoryObject entry, ICollection<string> warnings)
        {
            var name = entry.Name;
            var oid = entry.Text("msPKI-Cert-Template-OID");
            if (oid == null || !Pkix.Oids.IsValid(oid))
            {
                warnings.Add($"Template '{name}' ({entry.DistinguishedName}) was skipped: " +
                             (oid == null ? "it has no msPKI-Cert-Template-OID." : $"its msPKI-Cert-Template-OID '{oid}' is not an OID."));
                return null;
            }
            TimeSpan? validity = ReadPeriod(entry, "pKIExpirationPeriod", name, warnings, out var validityBad);
            TimeSpan? overlap = ReadPeriod(entry, "pKIOverlapPeriod", name, warnings, out var overlapBad);
            if (validityBad || overlapBad) return null;
            var enrollmentFlags = entry.Int("msPKI-Enrollment-Flag") ?? 0;
            var nameFlags = entry.Int("msPKI-Certificate-Name-Flag") ?? 0;
            var keyUsage = entry.Binary("pKIKeyUsage");
            return new CaTemplate
            {
                Name = name,
                DisplayName = entry.Text("displayName") ?? name,
                Oid = oid,
                SchemaVersion = entry.Int("msPKI-Template-Schema-Version") ?? 1,
                MajorRevision = entry.Int("revision") ?? 0,
                MinorRevision = entry.Int("msPKI-Template-Minor-Revision") ?? 0,
                Validity = validity ?? TimeSpan.Zero,
                RenewalPeriod = overlap ?? TimeSpan.Zero,
                MinimumKeySize = entry.Int("msPKI-Minimal-Key-Size") ?? 0,
                RequiresApproval = (enrollmentFlags & XcepCodec.PendAllRequests) != 0,
                SubjectFromRequest = (nameFlags & XcepCodec.EnrolleeSuppliesSubject) != 0,
                ExtendedKeyUsages = entry.Texts("pKIExtendedKeyUsage").Where(Pkix.Oids.IsValid).ToList(),
                // pKIKeyUsage holds the KeyUsage BIT STRING's bytes: the first carries digitalSignature (0x80) … keyAgreement.
                KeyUsage = keyUsage is { Length: > 0 } ? keyUsage[0] | (keyUsage.Length > 1 ? keyUsage[1] << 8 : 0) : 0,
                // Who may enroll is in the object's security descriptor, which discovery does not read: the CA decides.
                CanEnroll = true,
                EnrollmentFlags = enrollmentFlags,
                PrivateKeyFlags = entry.Int("msPKI-Private-Key-Flag") ?? 0,
                SubjectNameFlags = nameFlags,
                GeneralFlags = entry.Int("flags") ?? 0,
                KeySpec = entry.Int("pKIDefaultKeySpec"),
            };
        }

        /// <summary>
        /// pKIExpirationPeriod / pKIOverlapPeriod: an 8-byte little-endian FILETIME interval, negative, in 100 ns units.
        /// </summary>
        public static TimeSpan? DecodePeriod(byte[] value)
        {
            if (value.Length != 8) return null;
            var ticks = BitConverter.ToInt64(BitConverter.IsLittleEndian ? value : value.AsEnumerable().Reverse().ToArray(), 0);
            return ticks < 0 && ticks != long.MinValue ? TimeSpan.FromTicks(-ticks) : (TimeSpan?)null;
        }

        private static TimeSpan? ReadPeriod(DirectoryObject entry, string attribute, string name, ICollection<string> warnings, out bool bad)
        {
            bad = false;
            var raw = entry.Binary(attribute);
            if (raw == null) return null;
            var period = DecodePeriod(raw);
            if (period == null)
            {
                bad = true;
                warnings.Add($"Template '{name}' ({entry.DistinguishedName}) was skipped: its {attribute} is {raw.Length} byte(s) " +
                             (raw.Length == 8 ? "but not a negative interval" : "where 8 are expected") + ".");
            }
            return period;
        }
    }
}
