using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    public sealed class RequestOperations : OperationBase
    {
        public RequestOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>Builds the request a certreq INF describes; each ignored Windows-only key is a warning and a note on the result.</summary>
        public CertificateRequestResult? BuildFromInf(string infText)
        {
            InfParseResult parsed;
            try { parsed = InfParser.Parse(infText); }
            catch (PscException ex)
            {
                Sink.WriteError(ex);
                return null;
            }
            foreach (var note in parsed.Notes) Sink.WriteWarning(note);
            return Build(parsed.Spec, parsed.Notes);
        }

        /// <summary>Generates the key, builds and signs the PKCS#10, and keeps the key (protected) for pairing.</summary>
        /// <param name="intune">When given, the Intune/DigiCert PKI Platform rules set the subject and SANs from these attributes first.</param>
        public CertificateRequestResult? Build(RequestSpec spec, IReadOnlyList<string>? notes = null, IntuneIdentity? intune = null)
        {
            CertificateRequestResult? result = null;
            ForItem(spec.Subject, () =>
            {
                if (intune != null)
                {
                    var (shaped, ruleNotes) = IntuneRules.Apply(spec, intune);
                    foreach (var note in ruleNotes) Sink.WriteWarning(note);
                    spec = shaped;
                    notes = (notes ?? Array.Empty<string>()).Concat(ruleNotes).ToList();
                }
                CsrBuilder.Validate(spec);
                if (!Sink.ShouldProcess($"request for '{spec.Subject}' ({spec.KeyAlgorithm} {spec.KeyLength})", "Create key and request")) return;
                Sink.WriteVerbose($"Generating a {spec.KeyAlgorithm} {spec.KeyLength}-bit key.");
                using var key = AsymmetricKey.Generate(spec.KeyAlgorithm, spec.KeyLength);
                var csr = CsrBuilder.Build(spec, key);
                var info = CsrParser.Parse(csr);
                Workspace.Store.SaveRequestKey(new RequestKeyRecord
                {
                    KeyId = key.KeyId,
                    Subject = info.Subject,
                    Algorithm = key.Algorithm,
                    KeySize = key.KeySize,
                    Exportable = spec.Exportable,
                    MachineKeySet = spec.MachineKeySet,
                    FriendlyName = spec.FriendlyName,
                    CreatedAt = DateTimeOffset.UtcNow,
                }, key.ExportPkcs8());
                result = new CertificateRequestResult
                {
                    KeyId = key.KeyId,
                    Subject = info.Subject,
                    CommonName = info.CommonName,
                    KeyAlgorithm = key.Algorithm,
                    KeyLength = key.KeySize,
                    Template = spec.CertificateTemplate,
                    RequestAttributes = spec.RequestAttributes,
                    Csr = csr,
                    CsrPem = CsrParser.ToPem(csr),
                    Notes = notes ?? Array.Empty<string>(),
                };
                Sink.WriteObject(result);
            });
            return result;
        }

        /// <summary>
        /// The template a request names: a DigiCert PKI Platform profile OID (checked) wins over a template name; either
        /// is also sent as the CertificateTemplate request attribute, as certreq does.
        /// </summary>
        public static RequestSpec WithTemplate(RequestSpec spec, string? template, string? profileOid)
        {
            var chosen = profileOid != null ? IntuneRules.ProfileOid(profileOid) : template;
            if (chosen == null) return spec;
            var attributes = spec.RequestAttributes.ToDictionary(a => a.Key, a => a.Value);
            attributes["CertificateTemplate"] = chosen;
            return spec with { CertificateTemplate = chosen, RequestAttributes = attributes };
        }

        /// <summary>
        /// The identity the Intune rules build a request from, or null when no subject format is chosen. The Intune
        /// attributes without a format are refused: they would be silently ignored otherwise.
        /// </summary>
        public static IntuneIdentity? IntuneIdentityFrom(IntuneSubjectFormat? format, string? email, string? upn, IReadOnlyList<string> otherNames,
            bool noEmailSan, bool noUpnSan, IntuneParameterNames names)
        {
            if (format == null)
            {
                var given = new List<string>();
                if (email != null) given.Add(names.Email);
                if (upn != null) given.Add(names.Upn);
                if (otherNames.Count > 0) given.Add(names.OtherName);
                if (noEmailSan) given.Add(names.NoEmailSan);
                if (noUpnSan) given.Add(names.NoUpnSan);
                if (given.Count == 0) return null;
                var list = given.Count == 1 ? given[0] : string.Join(", ", given.Take(given.Count - 1)) + " and " + given[given.Count - 1];
                throw new PscException(names.ErrorId, FailureCategory.InvalidArgument,
                    $"{list} {(given.Count == 1 ? "belongs" : "belong")} to the Intune rules: add {names.SubjectFormat}.");
            }
            return new IntuneIdentity
            {
                SubjectFormat = format.Value, Email = email, Upn = upn, OtherNames = otherNames, EmailSan = !noEmailSan, UpnSan = !noUpnSan,
            };
        }
    }
}
