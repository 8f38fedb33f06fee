using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Xml.Linq;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Lab
{
    /// <summary>The Lab's MS-XCEP side: a GetPoliciesResponse listing the embedded CA's templates and this server's CES URIs.</summary>
    internal static class LabPolicyService
    {
        private const int PendAllRequests = 0x2, EnrolleeSuppliesSubject = 0x1;
        // CT_FLAG_MACHINE_TYPE (0x40) for the Computer template; the rest are user templates.
        private const int MachineType = 0x40;

        public static XElement GetPoliciesResponse(LabAuthority authority, Func<AdcsAuthentication, Uri> cesUri, IReadOnlyList<AdcsAuthentication> served)
        {
            var x = AdcsXml.Xcep;
            var nil = new XAttribute(AdcsXml.Xsi + "nil", "true");
            var oids = new List<XElement>();
            int OidReference(string value, int group, string name)
            {
                var existing = oids.FindIndex(o => (string?)o.Element(x + "value") == value);
                if (existing >= 0) return existing;
                oids.Add(new XElement(x + "oID",
                    new XElement(x + "value", value),
                    new XElement(x + "group", group),
                    new XElement(x + "oIDReferenceID", oids.Count),
                    new XElement(x + "defaultName", name)));
                return oids.Count - 1;
            }

            var policies = new XElement(x + "policies");
            foreach (var template in authority.Ca.Templates)
            {
                var templateOid = OidReference(template.Oid ?? "", XcepCodec.TemplateOidGroup, template.DisplayName);
                var extensions = new XElement(x + "extensions");
                if (template.ExtendedKeyUsages.Count > 0)
                    extensions.Add(Extension(OidReference("2.5.29.37", 6, "Enhanced Key Usage"), false, EkuValue(template.ExtendedKeyUsages)));
                if (template.KeyUsage != 0)
                    extensions.Add(Extension(OidReference("2.5.29.15", 6, "Key Usage"), true, KeyUsageValue(template.KeyUsage)));
                policies.Add(new XElement(x + "policy",
                    new XElement(x + "policyOIDReference", templateOid),
                    new XElement(x + "cAs", new XElement(x + "cAReference", 0)),
                    new XElement(x + "attributes",
                        new XElement(x + "commonName", template.Name),
                        new XElement(x + "policySchema", template.SchemaVersion),
                        new XElement(x + "certificateValidity",
                            new XElement(x + "validityPeriodSeconds", (long)template.Validity.TotalSeconds),
                            new XElement(x + "renewalPeriodSeconds", (long)template.RenewalPeriod.TotalSeconds)),
                        new XElement(x + "permission",
                            new XElement(x + "enroll", "true"),
                            new XElement(x + "autoEnroll", "false")),
                        new XElement(x + "privateKeyAttributes",
                            new XElement(x + "minimalKeyLength", template.MinimumKeySize),
                            new XElement(x + "keySpec", 1),
                            new XElement(x + "keyUsageProperty", nil),
                            new XElement(x + "permissions", nil),
                            new XElement(x + "algorithmOIDReference", nil),
                            new XElement(x + "cryptoProviders", nil)),
                        new XElement(x + "revision",
                            new XElement(x + "majorRevision", template.MajorRevision),
                            new XElement(x + "minorRevision", template.MinorRevision)),
                        new XElement(x + "supersededPolicies", nil),
                        new XElement(x + "privateKeyFlags", 0),
                        new XElement(x + "subjectNameFlags", template.SubjectFromRequest ? EnrolleeSuppliesSubject : 0),
                        new XElement(x + "enrollmentFlags", template.RequiresApproval ? PendAllRequests : 0),
                        new XElement(x + "generalFlags", template.Name == "Machine" ? MachineType : 0),
                        new XElement(x + "hashAlgorithmOIDReference", nil),
                        new XElement(x + "rARequirements", nil),
                        new XElement(x + "keyArchivalAttributes", nil),
                        extensions)));
            }

            var uris = new XElement(x + "uris");
            foreach (var auth in served)
                uris.Add(new XElement(x + "cAURI",
                    new XElement(x + "clientAuthentication", AdcsXml.ClientAuthenticationCode(auth)),
                    new XElement(x + "uri", cesUri(auth).AbsoluteUri),
                    new XElement(x + "priority", 1),
                    new XElement(x + "renewalOnly", "false")));

            return new XElement(x + "GetPoliciesResponse",
                new XAttribute(XNamespace.Xmlns + "xsi", AdcsXml.Xsi.NamespaceName),
                new XElement(x + "response",
                    new XElement(x + "policyID", "{" + StableGuid(authority.CaName) + "}"),
                    new XElement(x + "policyFriendlyName", authority.CaName + " (PSCertConnector Lab)"),
                    new XElement(x + "nextUpdateHours", 8),
                    new XElement(x + "policiesNotChanged", nil),
                    policies),
                new XElement(x + "cAs",
                    new XElement(x + "cA",
                        uris,
                        new XElement(x + "certificate", Convert.ToBase64String(authority.Ca.IssuingCertificate)),
                        new XElement(x + "enrollPermission", "true"),
                        new XElement(x + "cAReferenceID", 0))),
                new XElement(x + "oIDs", oids));
        }

        private static XElement Extension(int oidReference, bool critical, byte[] value)
        {
            var x = AdcsXml.Xcep;
            return new XElement(x + "extension",
                new XElement(x + "oIDReference", oidReference),
                new XElement(x + "critical", critical ? "true" : "false"),
                new XElement(x + "value", Convert.ToBase64String(value)));
        }

        private static byte[] EkuValue(IReadOnlyList<string> ekus)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
                foreach (var oid in ekus) writer.WriteObjectIdentifier(oid);
            return writer.Encode();
        }

        private static byte[] KeyUsageValue(int keyUsage)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            var bytes = keyUsage > 0xff ? new[] { (byte)keyUsage, (byte)(keyUsage >> 8) } : new[] { (byte)keyUsage };
            int unused = 0;
            var last = bytes[^1];
            while (unused < 7 && (last & (1 << unused)) == 0) unused++;
            writer.WriteBitString(bytes, unused);
            return writer.Encode();
        }

        private static Guid StableGuid(string text)
        {
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));
            return new Guid(hash.AsSpan(0, 16));
        }
    }
}
