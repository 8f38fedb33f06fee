using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Xml.Linq;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>MS-XCEP GetPolicies: the request a client sends and the reading of the server's answer.</summary>
    public static class XcepCodec
    {
        /// <summary>CT_FLAG_PEND_ALL_REQUESTS in msPKI-Enrollment-Flag: manager approval (a hint; a pending result is what counts).</summary>
        public const int PendAllRequests = 0x2;
        /// <summary>CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT in msPKI-Certificate-Name-Flag.</summary>
        public const int EnrolleeSuppliesSubject = 0x1;
        /// <summary>The oID group of certificate template OIDs.</summary>
        public const int TemplateOidGroup = 9;

        public static byte[] BuildRequest(Uri to, UsernameToken? token)
        {
            var x = AdcsXml.Xcep;
            var nil = new XAttribute(AdcsXml.Xsi + "nil", "true");
            var body = new XElement(x + "GetPolicies",
                new XAttribute(XNamespace.Xmlns + "xsi", AdcsXml.Xsi.NamespaceName),
                new XElement(x + "client",
                    new XElement(x + "lastUpdate", nil),
                    new XElement(x + "preferredLanguage", nil)),
                // clientVersion 6 (a current Windows client) with serverVersion 0 is what working clients send; CEPs seen in the field hide newer templates without it.
                new XElement(x + "requestFilter",
                    new XElement(x + "policyOIDs", nil),
                    new XElement(x + "clientVersion", 6),
                    new XElement(x + "serverVersion", 0)));
            return SoapEnvelope.Build(AdcsXml.GetPoliciesAction, to, body, token);
        }

        public static XcepPolicyResponse ReadResponse(XDocument document)
        {
            const string what = "GetPolicies response";
            var x = AdcsXml.Xcep;
            var content = SoapEnvelope.BodyContent(document, what);
            if (content.Name != x + "GetPoliciesResponse")
                throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"The {what} holds '{content.Name.LocalName}' where GetPoliciesResponse was expected.");
            var response = content.Element(x + "response");

            var oids = new Dictionary<int, (string Value, int Group, string? Name)>();
            foreach (var oid in content.Element(x + "oIDs")?.Elements(x + "oID") ?? Enumerable.Empty<XElement>())
            {
                var id = oid.Element(x + "oIDReferenceID").Int("oIDReferenceID");
                var value = oid.Element(x + "value").Text();
                if (id == null || value == null) continue;
                oids[id.Value] = (value, oid.Element(x + "group").Int("oID group") ?? 0, oid.Element(x + "defaultName").Text());
            }

            var cas = new List<XcepCa>();
            foreach (var ca in content.Element(x + "cAs")?.Elements(x + "cA") ?? Enumerable.Empty<XElement>())
            {
                var uris = new List<XcepCaUri>();
                foreach (var uri in ca.Element(x + "uris")?.Elements(x + "cAURI") ?? Enumerable.Empty<XElement>())
                {
                    var text = uri.Element(x + "uri").Text();
                    if (text == null || !Uri.TryCreate(text, UriKind.Absolute, out var parsed)) continue;
                    uris.Add(new XcepCaUri(uri.Element(x + "clientAuthentication").Int("clientAuthentication") ?? 0, parsed,
                        uri.Element(x + "priority").Int("priority") ?? int.MaxValue, uri.Element(x + "renewalOnly").Bool() ?? false));
                }
                var cert = ca.Element(x + "certificate").Text();
                cas.Add(new XcepCa(ca.Element(x + "cAReferenceID").Int("cAReferenceID") ?? -1,
                    string.IsNullOrEmpty(cert) ? null : SafeXml.Base64(cert!, "CA certificate in the GetPolicies response"),
                    uris, ca.Element(x + "enrollPermission").Bool() ?? true));
            }

            var policies = new List<XcepPolicy>();
            foreach (var policy in response?.Element(x + "policies")?.Elements(x + "policy") ?? Enumerable.Empty<XElement>())
            {
                var attributes = policy.Element(x + "attributes");
                var name = attributes.Child(x, "commonName").Text();
                if (attributes == null || string.IsNullOrEmpty(name)) continue; // a policy without a name cannot be requested
                var oidRef = policy.Element(x + "policyOIDReference").Int("policyOIDReference");
                (string Value, int Group, string? Name)? templateOid = oidRef.HasValue && oids.TryGetValue(oidRef.Value, out var o) ? o : null;
                var validity = attributes.Child(x, "certificateValidity");
                var permission = attributes.Child(x, "permission");
                var keyAttributes = attributes.Child(x, "privateKeyAttributes");
                var revision = attributes.Child(x, "revision");
                var enrollmentFlags = attributes.Child(x, "enrollmentFlags").Int("enrollmentFlags") ?? 0;
                var subjectNameFlags = attributes.Child(x, "subjectNameFlags").Int("subjectNameFlags") ?? 0;
                var extensions = ReadExtensions(attributes.Child(x, "extensions"), oids);
                var template = new CaTemplate
                {
                    Name = name!,
                    DisplayName = templateOid?.Name ?? name!,
                    Oid = templateOid?.Value,
                    SchemaVersion = attributes.Child(x, "policySchema").Int("policySchema") ?? 1,
                    MajorRevision = revision.Child(x, "majorRevision").Int("majorRevision") ?? 0,
                    MinorRevision = revision.Child(x, "minorRevision").Int("minorRevision") ?? 0,
                    Validity = Seconds(validity.Child(x, "validityPeriodSeconds"), "validityPeriodSeconds", name!),
                    RenewalPeriod = Seconds(validity.Child(x, "renewalPeriodSeconds"), "renewalPeriodSeconds", name!),
                    MinimumKeySize = keyAttributes.Child(x, "minimalKeyLength").Int("minimalKeyLength") ?? 0,
                    RequiresApproval = (enrollmentFlags & PendAllRequests) != 0,
                    SubjectFromRequest = (subjectNameFlags & EnrolleeSuppliesSubject) != 0,
                    CanEnroll = permission.Child(x, "enroll").Bool() ?? false,
                    ExtendedKeyUsages = extensions.TryGetValue("2.5.29.37", out var eku) ? ReadEku(eku) : Array.Empty<string>(),
                    KeyUsage = extensions.TryGetValue("2.5.29.15", out var ku) ? ReadKeyUsage(ku) : 0,
                    CanAutoEnroll = permission.Child(x, "autoEnroll").Bool() ?? false,
                    EnrollmentFlags = enrollmentFlags,
                    PrivateKeyFlags = attributes.Child(x, "privateKeyFlags").Int("privateKeyFlags") ?? 0,
                    SubjectNameFlags = subjectNameFlags,
                    GeneralFlags = attributes.Child(x, "generalFlags").Int("generalFlags") ?? 0,
                    KeySpec = keyAttributes.Child(x, "keySpec").Int("keySpec"),
                };
                var caRefs = policy.Element(x + "cAs")?.Elements(x + "cAReference").Select(e => e.Int("cAReference") ?? -1).Where(i => i >= 0).ToList()
                    ?? new List<int>();
                policies.Add(new XcepPolicy(template, caRefs, enrollmentFlags,
                    attributes.Child(x, "privateKeyFlags").Int("privateKeyFlags") ?? 0, subjectNameFlags,
                    attributes.Child(x, "generalFlags").Int("generalFlags") ?? 0,
                    keyAttributes.Child(x, "keySpec").Int("keySpec"), permission.Child(x, "autoEnroll").Bool() ?? false));
            }

            return new XcepPolicyResponse(response.Child(x, "policyID").Text(), response.Child(x, "policyFriendlyName").Text(),
                response.Child(x, "nextUpdateHours").Int("nextUpdateHours"), response.Child(x, "policiesNotChanged").Bool() ?? false,
                policies, cas);
        }

        /// <summary>A period in seconds; one no TimeSpan holds (about 29,000 years) is refused rather than overflowing.</summary>
        private static TimeSpan Seconds(XElement? element, string what, string template)
        {
            var seconds = element.Long(what) ?? 0;
            if (seconds > (long)TimeSpan.MaxValue.TotalSeconds || seconds < (long)TimeSpan.MinValue.TotalSeconds)
                throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"The GetPolicies response gives template '{template}' a {what} of {seconds}, which is not a period of time.");
            return TimeSpan.FromSeconds(seconds);
        }

        private static Dictionary<string, byte[]> ReadExtensions(XElement? extensions, IReadOnlyDictionary<int, (string Value, int Group, string? Name)> oids)
        {
            var x = AdcsXml.Xcep;
            var result = new Dictionary<string, byte[]>();
            foreach (var ext in extensions?.Elements(x + "extension") ?? Enumerable.Empty<XElement>())
            {
                var oidRef = ext.Element(x + "oIDReference").Int("extension oIDReference");
                var value = ext.Element(x + "value").Text();
                if (oidRef == null || value == null || !oids.TryGetValue(oidRef.Value, out var oid)) continue;
                result[oid.Value] = SafeXml.Base64(value, $"value of extension {oid.Value}");
            }
            return result;
        }

        private static IReadOnlyList<string> ReadEku(byte[] der)
        {
            try
            {
                var seq = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
                var list = new List<string>();
                while (seq.HasData) list.Add(seq.ReadObjectIdentifier());
                return list;
            }
            catch (AsnContentException) { return Array.Empty<string>(); } // a template's odd extension must not hide the template
        }

        private static int ReadKeyUsage(byte[] der)
        {
            try
            {
                var bits = new AsnReader(der, AsnEncodingRules.DER).ReadBitString(out _);
                // X509KeyUsageFlags numbering: the first byte's bits as they are, the second byte's top bit as 0x8000.
                return (bits.Length > 0 ? bits[0] : 0) | (bits.Length > 1 ? bits[1] << 8 : 0);
            }
            catch (AsnContentException) { return 0; }
        }
    }
}
