using System;
using System.Collections.Generic;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkcs;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>Reads PKCS#10 requests from PEM or DER and checks their signatures.</summary>
    public static class CsrParser
    {
        public static CsrInfo Parse(byte[] input) => Read(input).Info;

        internal static (CsrInfo Info, Pkcs10CertificationRequest Request) Read(byte[] input)
        {
            var der = Pem.ReadSinglePemOrDer(input, "certificate request", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
            Pkcs10CertificationRequest request;
            CertificationRequestInfo info;
            try
            {
                var sequence = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
                info = CertificationRequestInfo.GetInstance(sequence[0]);
                // Check the key's curve before the crypto library computes anything with it.
                KeyFactory.RejectExplicitCurve(info.SubjectPublicKeyInfo, "certificate request");
                request = new Pkcs10CertificationRequest(der);
            }
            catch (PscException) { throw; }
            catch (Exception ex)
            {
                throw new PscException("MalformedCsr", FailureCategory.InvalidData,
                    "The certificate request is not a valid PKCS#10 structure: " + ex.Message, ex);
            }

            KeyAlgorithm algorithm;
            int size;
            Org.BouncyCastle.Crypto.AsymmetricKeyParameter publicKey;
            try
            {
                // Read once: the crypto library checks an RSA modulus each time it reads one.
                publicKey = Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(info.SubjectPublicKeyInfo);
                (algorithm, size) = KeyFactory.Describe(publicKey, "certificate request");
            }
            catch (PscException) { throw; }
            catch (Exception ex)
            {
                throw new PscException("MalformedCsr", FailureCategory.InvalidData, "The certificate request's public key cannot be read: " + ex.Message, ex);
            }
            bool valid;
            try { valid = request.Verify(publicKey); }
            catch (Exception ex) when (ex is not PscException) { valid = false; }
            if (!valid)
                throw new PscException("CsrSignatureInvalid", FailureCategory.SecurityError,
                    "The certificate request's signature does not verify with its own public key: it was altered or built incorrectly.");

            var sans = new List<SubjectAlternativeName>();
            var ekus = new List<string>();
            int? keyUsage = null;
            var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string? templateName = null, templateOid = null;
            try
            {
                ReadAttributes(info, sans, ekus, ref keyUsage, pairs, ref templateName, ref templateOid);
            }
            catch (Exception ex) when (ex is not PscException)
            {
                throw new PscException("MalformedCsr", FailureCategory.InvalidData, "The certificate request's attributes or extensions cannot be read: " + ex.Message, ex);
            }

            var spkiDer = info.SubjectPublicKeyInfo.GetDerEncoded();
            return (new CsrInfo
            {
                Subject = DistinguishedNames.Format(info.Subject),
                CommonName = DistinguishedNames.CommonName(info.Subject),
                KeyAlgorithm = algorithm,
                KeySize = size,
                PublicKeyId = KeyFactory.PublicKeyId(spkiDer),
                SubjectAlternativeNames = sans,
                EnhancedKeyUsages = ekus,
                KeyUsage = keyUsage,
                Attributes = pairs,
                TemplateName = templateName,
                TemplateOid = templateOid,
                PublicKeyInfo = spkiDer,
                Der = der,
            }, request);
        }

        private static void ReadAttributes(CertificationRequestInfo info, List<SubjectAlternativeName> sans, List<string> ekus, ref int? keyUsage, Dictionary<string, string> pairs,
            ref string? templateName, ref string? templateOid)
        {
            if (info.Attributes != null)
            {
                foreach (Asn1Encodable item in info.Attributes)
                {
                    var attribute = AttributePkcs.GetInstance(item);
                    var type = attribute.AttrType.Id;
                    if (type == PkcsObjectIdentifiers.Pkcs9AtExtensionRequest.Id)
                    {
                        var extensions = X509Extensions.GetInstance(attribute.AttrValues[0]);
                        var san = extensions.GetExtension(X509Extensions.SubjectAlternativeName);
                        if (san != null) sans.AddRange(GeneralNameCodec.Decode(san.GetParsedValue()));
                        var eku = extensions.GetExtension(X509Extensions.ExtendedKeyUsage);
                        if (eku != null) ekus.AddRange(GeneralNameCodec.DecodeEku(eku.GetParsedValue()));
                        var ku = extensions.GetExtension(X509Extensions.KeyUsage);
                        if (ku != null) keyUsage = GeneralNameCodec.DecodeKeyUsage(ku.GetParsedValue());
                        var name = extensions.GetExtension(new DerObjectIdentifier(Oids.CertificateTemplateName));
                        if (name != null) templateName = TemplateExtensions.ReadName(name.Value.GetOctets());
                        var template = extensions.GetExtension(new DerObjectIdentifier(Oids.CertificateTemplateInfo));
                        if (template != null) templateOid = TemplateExtensions.ReadOid(template.Value.GetOctets());
                    }
                    else if (type == Oids.EnrollmentNameValuePair)
                    {
                        var pair = Asn1Sequence.GetInstance(attribute.AttrValues[0]);
                        if (pair.Count == 2 && pair[0] is IAsn1String n && pair[1] is IAsn1String v)
                            pairs[n.GetString()] = v.GetString();
                    }
                }
            }

        }

        public static string ToPem(byte[] der) => Pem.Encode("CERTIFICATE REQUEST", der);
            /// <summary>
        /// The request's challengePassword attribute (SCEP), or null. Kept out of <see cref="CsrInfo"/> so it is never shown
        /// or stored. Only the structure is read: whoever acts on the request parses and verifies it in full.
        /// </summary>
        public static string? ChallengePassword(byte[] csrDer)
        {
            Asn1Set? attributes;
            try { attributes = CertificationRequestInfo.GetInstance(Asn1Sequence.GetInstance(Asn1Object.FromByteArray(csrDer))[0]).Attributes; }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or System.IO.IOException or IndexOutOfRangeException) { return null; }
            if (attributes == null) return null;
            foreach (var item in attributes)
            {
                var attribute = Org.BouncyCastle.Asn1.Pkcs.AttributePkcs.GetInstance(item);
                if (attribute.AttrType.Id == Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.Pkcs9AtChallengePassword.Id)
                    return attribute.AttrValues.Count > 0 && attribute.AttrValues[0] is IAsn1String text ? text.GetString() : null;
            }
            return null;
        }

        /// <summary>The request's subject name as DER (SCEP's IssuerAndSubject names it so).</summary>
        public static byte[] SubjectName(byte[] csrDer) =>
            CertificationRequestInfo.GetInstance(Asn1Sequence.GetInstance(Asn1Object.FromByteArray(csrDer))[0]).Subject.GetDerEncoded(); // read and checked by the caller
}
}
