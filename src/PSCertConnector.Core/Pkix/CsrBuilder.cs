using System;
using System.Collections.Generic;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.X509.Extension;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>Builds PKCS#10 requests the way certreq -new does from an INF.</summary>
    public static class CsrBuilder
    {
        /// <summary>Checks a spec before any key is generated, naming the field that is wrong.</summary>
        public static void Validate(RequestSpec spec)
        {
            KeyFactory.ValidateKeyLength(spec.KeyAlgorithm, spec.KeyLength);
            if (string.IsNullOrWhiteSpace(spec.Subject) && spec.SubjectAlternativeNames.Count == 0)
                throw new PscException("SubjectRequired", FailureCategory.InvalidArgument,
                    "A request needs a Subject (e.g. 'CN=ra01,O=Contoso') or at least one subject alternative name.");
            DistinguishedNames.Validate(spec.Subject, "Subject");
            foreach (var eku in spec.EnhancedKeyUsages)
                if (!Oids.IsValid(eku))
                    throw new PscException("InvalidOid", FailureCategory.InvalidArgument, $"The enhanced key usage '{eku}' is not a dotted OID such as 1.3.6.1.5.5.7.3.2.");
            if (spec.KeyUsage < 0 || spec.KeyUsage > 0xFFFF)
                throw new PscException("InvalidKeyUsage", FailureCategory.InvalidArgument, $"KeyUsage 0x{spec.KeyUsage:x} is out of range (e.g. 0xa0).");
            foreach (var san in spec.SubjectAlternativeNames)
                SubjectAlternativeName.Parse(san.ToString());
            RequestPolicy.Enforce(DistinguishedNames.Parse(spec.Subject, "Subject"), spec.SubjectAlternativeNames, spec.RequestAttributes);
        }

        public static byte[] Build(RequestSpec spec, AsymmetricKey key)
        {
            Validate(spec);
            var subject = DistinguishedNames.Parse(spec.Subject, "Subject");
            var critical = new HashSet<string>(spec.CriticalExtensions);
            var extensions = new X509ExtensionsGenerator();
            if (spec.KeyUsage != 0)
                extensions.AddExtension(X509Extensions.KeyUsage, spec.KeyUsageCritical, new KeyUsage(spec.KeyUsage));
            if (spec.EnhancedKeyUsages.Count > 0)
                extensions.AddExtension(X509Extensions.ExtendedKeyUsage, critical.Contains("2.5.29.37"), GeneralNameCodec.EncodeEku(spec.EnhancedKeyUsages));
            if (spec.SubjectAlternativeNames.Count > 0)
            {
                // RFC 5280: the SAN must be critical when the subject is empty.
                bool sanCritical = critical.Contains("2.5.29.17") || subject.GetOidList().Count == 0;
                extensions.AddExtension(X509Extensions.SubjectAlternativeName, sanCritical, GeneralNameCodec.Encode(spec.SubjectAlternativeNames));
            }
            foreach (var raw in spec.OtherExtensions)
                extensions.AddExtension(new DerObjectIdentifier(raw.Oid), raw.Critical || critical.Contains(raw.Oid), raw.Value);
            // certreq always asks for a subject key identifier.
            extensions.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.PublicParameter));

            var attributes = new List<Asn1Encodable>
            {
                new AttributePkcs(PkcsObjectIdentifiers.Pkcs9AtExtensionRequest, new DerSet(extensions.Generate())),
            };
            foreach (var pair in spec.RequestAttributes)
            {
                attributes.Add(new AttributePkcs(new DerObjectIdentifier(Oids.EnrollmentNameValuePair),
                    new DerSet(new DerSequence(new DerBmpString(pair.Key), new DerBmpString(pair.Value)))));
            }
            if (!string.IsNullOrEmpty(spec.ProviderName))
            {
                attributes.Add(new AttributePkcs(new DerObjectIdentifier(Oids.EnrollmentCsp),
                    new DerSet(new DerSequence(DerInteger.ValueOf(spec.KeySpec), new DerBmpString(spec.ProviderName), new DerBitString(Array.Empty<byte>())))));
            }
            var request = new Pkcs10CertificationRequest(key.SignatureFactory(spec.HashAlgorithm), subject, key.PublicParameter, new DerSet(attributes.ToArray()));
            return request.GetDerEncoded();
        }
            /// <summary>
        /// The same request with a challengePassword attribute (how a SCEP server authorizes it, RFC 8894 §2.2), signed
        /// again with its key. A challenge already in the request is replaced.
        /// </summary>
        public static byte[] WithChallengePassword(byte[] csrDer, string challenge, AsymmetricKey key)
        {
            // The request was parsed and verified by the caller; here only its content is taken over, under a new signature.
            var requestInfo = new Pkcs10CertificationRequest(csrDer).GetCertificationRequestInfo();
            if (KeyFactory.PublicKeyId(requestInfo.SubjectPublicKeyInfo.GetDerEncoded()) != key.KeyId)
                throw new PscException("KeyMismatch", FailureCategory.InvalidData, "The private key does not belong to the certificate request.");
            var attributes = new List<Asn1Encodable>();
            foreach (var item in requestInfo.Attributes ?? new DerSet())
                if (AttributePkcs.GetInstance(item).AttrType.Id != PkcsObjectIdentifiers.Pkcs9AtChallengePassword.Id) attributes.Add(item);
            Asn1Encodable value = DerPrintableString.IsPrintableString(challenge) ? new DerPrintableString(challenge) : new DerUtf8String(challenge);
            attributes.Add(new AttributePkcs(PkcsObjectIdentifiers.Pkcs9AtChallengePassword, new DerSet(value)));
            return new Pkcs10CertificationRequest(key.SignatureFactory(SignatureHash.Sha256), requestInfo.Subject, key.PublicParameter,
                new DerSet(attributes.ToArray())).GetDerEncoded();
        }
}
}
