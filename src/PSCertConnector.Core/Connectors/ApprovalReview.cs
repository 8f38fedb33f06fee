using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>
    /// The checks a pending request passes before it is approved, automatically or by hand: what makes AD CS templates
    /// dangerous when a CA manager approves without looking. A subject or SAN the enrollee supplies on a template whose
    /// certificates authenticate clients (ESC1), an any-purpose or missing EKU (ESC2), names outside the domains allowed
    /// for the template, and a key weaker than the template's (or the policy's) minimum.
    /// </summary>
    public static class ApprovalReview
    {
        // Usages with which a certificate signs its holder in (TLS client, smart card and PKINIT logon), and Any Purpose.
        private static readonly string[] AuthenticatingUsages = { Oids.ClientAuth, Oids.SmartcardLogon, Oids.PkinitClient, Oids.AnyExtendedKeyUsage };

        /// <param name="template">The template as the connector reports it; null when it is not known.</param>
        /// <param name="submittedAttributes">The attributes sent with the request, when known (at submission); the order does not keep them.</param>
        public static IReadOnlyList<ApprovalFinding> Review(byte[]? csrDer, string templateName, CaTemplate? template, ApprovalPolicy policy,
            IReadOnlyDictionary<string, string>? submittedAttributes = null)
        {
            var findings = new List<ApprovalFinding>();
            if (csrDer == null || csrDer.Length == 0)
                return new[] { new ApprovalFinding("RequestUnreadable", "The order keeps no copy of the request, so what it asks for cannot be checked.") };
            CsrInfo csr;
            try { csr = CsrParser.Parse(csrDer); }
            catch (PscException ex) { return new[] { new ApprovalFinding("RequestUnreadable", "The request cannot be read, so what it asks for cannot be checked: " + ex.Message) }; }

            if (template == null || !PolicyKnown(template))
                findings.Add(new ApprovalFinding("TemplatePolicyUnknown",
                    $"The connector does not report the settings of template '{templateName}' (its usages, where the subject comes from, its minimum key), so the request cannot be checked against them. " +
                    "Refresh the templates from a policy service that reports them (CEP, the embedded CA), or approve by hand after looking."));
            else
            {
                var usages = template.ExtendedKeyUsages;
                bool authenticates = usages.Count == 0 || usages.Any(u => AuthenticatingUsages.Contains(u));
                if (template.SubjectFromRequest && authenticates && (csr.Subject.Length > 0 || csr.SubjectAlternativeNames.Count > 0))
                    findings.Add(new ApprovalFinding("EnrolleeSuppliedSubject",
                        $"Template '{templateName}' takes the subject from the request and its certificates can sign a client in ({(usages.Count == 0 ? "no usage limit" : string.Join(", ", usages.Select(UsageName)))}); " +
                        $"this request names {Describe(csr)}. Approved, it would let the requester act as whoever it names (ESC1)."));
                if (usages.Count == 0)
                    findings.Add(new ApprovalFinding("AnyPurposeEku", $"Template '{templateName}' puts no extended key usage in its certificates, so they are good for any purpose (ESC2)."));
                else if (usages.Contains(Oids.AnyExtendedKeyUsage))
                    findings.Add(new ApprovalFinding("AnyPurposeEku", $"Template '{templateName}' issues certificates for Any Purpose ({Oids.AnyExtendedKeyUsage}), good for client sign-in, code signing and more (ESC2)."));
            }
            // The policy's own minimum holds whether or not the template is known; the template's only when it is.
            int templateMinimum = template != null && PolicyKnown(template) ? template.MinimumKeySize : 0;
            int minimum = Math.Max(templateMinimum, policy.MinimumKeySize(templateName) ?? 0);
            if (RsaEquivalentBits(csr) is { } bits && bits < minimum)
                findings.Add(new ApprovalFinding("WeakKey",
                    $"The request's {KeyName(csr)} key is weaker than the {minimum}-bit minimum {(minimum > templateMinimum ? "the connector's approvalMinimumKeySize sets" : $"of template '{templateName}'")}."));
            // A CA with EDITF_ATTRIBUTESUBJECTALTNAME2 puts a SAN given as a request attribute into the certificate, whatever the template says (ESC6).
            foreach (var attributes in new[] { csr.Attributes, submittedAttributes ?? new Dictionary<string, string>() })
                if (attributes.Keys.FirstOrDefault(k => k.Equals("SAN", StringComparison.OrdinalIgnoreCase)) is { } key)
                    findings.Add(new ApprovalFinding("SanInAttributes",
                        $"The request carries the names '{DisplayText.Escape(attributes[key])}' as a SAN request attribute, which a CA with EDITF_ATTRIBUTESUBJECTALTNAME2 puts into the certificate whatever the template allows (ESC6)."));
            if (csr.EnhancedKeyUsages.Contains(Oids.AnyExtendedKeyUsage) && findings.All(f => f.Rule != "AnyPurposeEku"))
                findings.Add(new ApprovalFinding("AnyPurposeEku", $"The request itself asks for Any Purpose ({Oids.AnyExtendedKeyUsage}) (ESC2)."));

            var allowed = policy.AllowedDomains(templateName);
            if (allowed.Count > 0)
            {
                var outside = NamesIn(csr).Where(n => !allowed.Any(d => n == d || n.EndsWith("." + d, StringComparison.Ordinal))).Distinct().ToList();
                if (outside.Count > 0)
                    findings.Add(new ApprovalFinding("NameOutsideAllowedDomains",
                        $"The request names {string.Join(", ", outside.Select(n => "'" + DisplayText.Escape(n) + "'"))}, outside the domains allowed for template '{templateName}' ({string.Join(", ", allowed)})."));
            }
            return findings;
        }

        /// <summary>
        /// Whether the connector reported the template's usages and name flags: AD CS over DCOM lists names only, DigiCert
        /// profiles carry no usages. A template from CEP or the directory with no usages has name flags, so "no usage" is
        /// then known to mean "any purpose".
        /// </summary>
        private static bool PolicyKnown(CaTemplate template) => template.ExtendedKeyUsages.Count > 0 || template.SubjectNameFlags != 0;

        /// <summary>The domain names a request asks for, lowercased: a host-like common name, DNS SANs, and the domains of e-mail, UPN and URI SANs.</summary>
        private static IEnumerable<string> NamesIn(CsrInfo csr)
        {
            if (csr.CommonName is { } cn && cn.IndexOf('.') > 0 && Uri.CheckHostName(cn.TrimStart('*', '.')) == UriHostNameType.Dns) yield return cn.ToLowerInvariant();
            foreach (var san in csr.SubjectAlternativeNames)
            {
                switch (san.Type)
                {
                    case SanType.Dns: yield return san.Value.ToLowerInvariant(); break;
                    case SanType.Email:
                    case SanType.Upn:
                        var at = san.Value.LastIndexOf('@');
                        yield return (at >= 0 ? san.Value.Substring(at + 1) : san.Value).ToLowerInvariant();
                        break;
                    case SanType.Uri:
                        if (Uri.TryCreate(san.Value, UriKind.Absolute, out var uri) && uri.Host.Length > 0) yield return uri.Host.ToLowerInvariant();
                        break;
                }
            }
        }

        private static string Describe(CsrInfo csr)
        {
            var parts = new List<string>();
            if (csr.Subject.Length > 0) parts.Add($"the subject '{DisplayText.Escape(csr.Subject)}'");
            if (csr.SubjectAlternativeNames.Count > 0)
                parts.Add("the SANs " + string.Join(", ", csr.SubjectAlternativeNames.Select(s => $"{s.Type} '{DisplayText.Escape(s.Value)}'")));
            return string.Join(" and ", parts);
        }

        private static string UsageName(string oid) => oid switch
        {
            Oids.ClientAuth => "Client Authentication",
            Oids.SmartcardLogon => "Smart Card Logon",
            Oids.PkinitClient => "PKINIT Client",
            Oids.AnyExtendedKeyUsage => "Any Purpose",
            Oids.ServerAuth => "Server Authentication",
            _ => oid,
        };

        /// <summary>The key's strength in RSA bits (NIST SP 800-57: P-256 is as strong as RSA 3072, P-384 as RSA 7680).</summary>
        private static int? RsaEquivalentBits(CsrInfo csr) => csr.KeyAlgorithm switch
        {
            KeyAlgorithm.Rsa => csr.KeySize,
            KeyAlgorithm.EcdsaP256 => 3072,
            KeyAlgorithm.EcdsaP384 => 7680,
            _ => null,
        };

        private static string KeyName(CsrInfo csr) => csr.KeyAlgorithm == KeyAlgorithm.Rsa ? $"{csr.KeySize}-bit RSA" : csr.KeyAlgorithm.ToString();
    }
}
