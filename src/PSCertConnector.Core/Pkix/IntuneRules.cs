using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// The request rules of the DigiCert PKI Platform scenario in the Intune guide: the subject formats, the SAN
    /// types (email, UPN, other names in hex) and the fallbacks (a missing email takes the UPN, a missing UPN the
    /// email, either an email-shaped subject; otherwise the attribute is named as missing). Applies to any request.
    /// </summary>
    public static class IntuneRules
    {
        private static readonly Regex EmailShaped = new(@"^[^@\s,=+]+@[^@\s,=+]+\.[^@\s,=+]+$", RegexOptions.CultureInvariant);
        // Characters the guide reports PKI Platform refusing in a UPN's local part.
        private static readonly char[] UpnSpecial = { '_', '#', '%', '&', '*', '+', '/', '=', '?', '^', '{', '}', '|', '~', '\'', '!', '$', '`' };

        /// <summary>The request with its subject and SANs set from the identity; notes say which fallback was used and what to fix.</summary>
        public static (RequestSpec Spec, IReadOnlyList<string> Notes) Apply(RequestSpec spec, IntuneIdentity identity)
        {
            var notes = new List<string>();
            var existingCn = DistinguishedNames.CommonNameOf(spec.Subject);
            var email = Clean(identity.Email);
            var upn = Clean(identity.Upn);
            var commonName = Clean(identity.CommonName) ?? existingCn;
            string? emailShapedSubject = commonName != null && EmailShaped.IsMatch(commonName) ? commonName : null;

            if (email == null && upn != null && EmailShaped.IsMatch(upn))
            {
                email = upn;
                notes.Add($"No email address was given; the UPN {upn} is used as the email (the guide's fallback).");
            }
            if (upn == null && email != null)
            {
                upn = email;
                notes.Add($"No UPN was given; the email address {email} is used as the UPN (the guide's fallback).");
            }
            if (email == null && upn == null && emailShapedSubject != null)
            {
                email = upn = emailShapedSubject;
                notes.Add($"Neither an email address nor a UPN was given; the email-shaped subject {emailShapedSubject} is used for both (the guide's fallback).");
            }

            bool needEmail = identity.EmailSan || identity.SubjectFormat != IntuneSubjectFormat.CommonName;
            if (needEmail && email == null)
                throw Missing("email", "the user's mail attribute (Entra ID 'mail'), or a UPN or subject shaped like an email address");
            if (identity.UpnSan && upn == null)
                throw Missing("userPrincipalName", "the user's UPN, or an email address it can fall back to");
            if (identity.SubjectFormat != IntuneSubjectFormat.CommonNameAsEmail && commonName == null)
                throw Missing("common name", "the user's name (CN) or a subject with CN=");
            if (email != null && !EmailShaped.IsMatch(email))
                throw new PscException("IntuneAttributeInvalid", FailureCategory.InvalidArgument, $"The email address '{email}' is not of the form name@domain.") { Target = "email" };

            if (upn != null && identity.UpnSan)
            {
                var local = upn.Split('@')[0];
                var special = local.Where(c => Array.IndexOf(UpnSpecial, c) >= 0).Distinct().ToList();
                if (special.Count > 0)
                    notes.Add($"The UPN {upn} contains {string.Join(" ", special.Select(c => "'" + c + "'"))}, which DigiCert PKI Platform refuses in a UPN SAN. " +
                              "Remedy: use a UPN without special characters for the user, or map the SAN to the email address (turn the UPN SAN off).");
            }

            var subject = identity.SubjectFormat switch
            {
                IntuneSubjectFormat.CommonNameAndEmail => $"CN={DistinguishedNames.Escape(commonName!)}, E={DistinguishedNames.Escape(email!)}",
                IntuneSubjectFormat.CommonNameAsEmail => $"CN={DistinguishedNames.Escape(email!)}",
                _ => $"CN={DistinguishedNames.Escape(commonName!)}",
            };
            var sans = spec.SubjectAlternativeNames.Where(s => s.Type is not (SanType.Email or SanType.Upn)).ToList();
            if (identity.EmailSan && email != null) sans.Add(new SubjectAlternativeName(SanType.Email, email));
            if (identity.UpnSan && upn != null) sans.Add(new SubjectAlternativeName(SanType.Upn, upn));
            foreach (var other in identity.OtherNames)
            {
                var name = OtherName(other);
                if (RepeatsUpn(name, sans))
                    notes.Add($"The other name {other} is the UPN SAN {upn} again; it is included once.");
                else
                    sans.Add(name);
            }
            return (spec with { Subject = subject, SubjectAlternativeNames = sans }, notes);
        }

        /// <summary>"oid;hex" (or "oid=hex"): an other name whose DER value the guide gives in hex.</summary>
        public static SubjectAlternativeName OtherName(string text)
        {
            var parts = text.Split(new[] { ';', '=' }, 2);
            if (parts.Length != 2 || !Oids.IsValid(parts[0].Trim()))
                throw new PscException("IntuneAttributeInvalid", FailureCategory.InvalidArgument,
                    $"The other name '{text}' should be <OID>;<hex of the DER value>, e.g. 1.3.6.1.4.1.311.25.1;0410A1B2…") { Target = "otherName" };
            var hex = parts[1].Trim().Replace(" ", "").Replace(":", "");
            if (!Hex.TryDecode(hex, out var der) || der.Length == 0)
                throw new PscException("IntuneAttributeInvalid", FailureCategory.InvalidArgument,
                    $"The value of other name {parts[0].Trim()} is not hexadecimal: '{parts[1].Trim()}'.") { Target = "otherName" };
            return new SubjectAlternativeName(SanType.OtherName, parts[0].Trim() + ";" + Hex.Encode(der));
        }

        /// <summary>An other name with the UPN OID whose UTF8String value is a UPN SAN already present.</summary>
        private static bool RepeatsUpn(SubjectAlternativeName otherName, IReadOnlyList<SubjectAlternativeName> sans)
        {
            var parts = otherName.Value.Split(';');
            if (parts[0] != Oids.Upn || !Hex.TryDecode(parts[1], out var der)) return false;
            try
            {
                var reader = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER);
                var value = reader.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.UTF8String);
                return !reader.HasData && sans.Any(s => s.Type == SanType.Upn && string.Equals(s.Value, value, StringComparison.OrdinalIgnoreCase));
            }
            catch (System.Formats.Asn1.AsnContentException) { return false; } // not a UTF8String: a distinct other name, kept as given
        }

        /// <summary>A certificate profile OID used as the template name: a dotted OID such as 2.16.840.1.113733.1.16.1.2.3.1.1.61904612.</summary>
        public static string ProfileOid(string text)
        {
            var oid = text.Trim();
            if (!Oids.IsValid(oid))
                throw new PscException("InvalidProfileOid", FailureCategory.InvalidArgument,
                    $"'{text}' is not a certificate profile OID: expected dotted numbers such as 2.16.840.1.113733.1.16.1.2.3.1.1.61904612 (DigiCert PKI Platform → the profile's details).") { Target = "profileOid" };
            return oid;
        }

        /// <summary>The CA name Intune must be given for DigiCert PKI Platform: the literal Symantec.</summary>
        public static string CaName(string text)
        {
            if (!string.Equals(text.Trim(), "Symantec", StringComparison.Ordinal))
                throw new PscException("InvalidCaName", FailureCategory.InvalidArgument,
                    $"The CA name for DigiCert PKI Platform is the literal 'Symantec' (case as written), not '{text}'.") { Target = "caName" };
            return "Symantec";
        }

        /// <summary>The CA FQDN: a host name without scheme, path or trailing slash (pki-ws.symauth.com).</summary>
        public static string CaFqdn(string text)
        {
            var host = text.Trim();
            if (host.EndsWith("/", StringComparison.Ordinal) || host.Contains("://") || host.Contains('/') || Uri.CheckHostName(host) != UriHostNameType.Dns || !host.Contains('.'))
                throw new PscException("InvalidCaFqdn", FailureCategory.InvalidArgument,
                    $"The CA FQDN '{text}' should be a host name alone, without https:// and without a trailing slash, e.g. pki-ws.symauth.com.") { Target = "caFqdn" };
            return host.ToLowerInvariant();
        }

        private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

        private static PscException Missing(string attribute, string what) =>
            new PscException("IntuneAttributeMissing", FailureCategory.InvalidArgument,
                $"The request needs the {attribute} attribute and has none: give {what}.") { Target = attribute };
    }
}
