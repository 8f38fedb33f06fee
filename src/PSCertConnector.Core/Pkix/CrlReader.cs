using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// Reads CRLs with a forward-only ASN.1 reader: a CRL with a million entries is read without building
    /// an object tree. The signature is checked when the issuer certificate is given.
    /// </summary>
    public static class CrlReader
    {
        private const string ReasonCodeOid = "2.5.29.21";
        private const string CrlNumberOid = "2.5.29.20";

        public static CrlInfo Read(byte[] input, byte[]? issuerCertificate = null)
        {
            var der = Pem.ReadPemOrDer(input, "CRL", "X509 CRL");
            try
            {
                var info = ReadStructure(der);
                if (issuerCertificate != null) info = info with { SignatureValid = VerifySignature(der, issuerCertificate) };
                return info;
            }
            catch (Exception ex) when (ex is AsnContentException or System.Security.Cryptography.CryptographicException or ArgumentException or FormatException or InvalidOperationException
                                       or Org.BouncyCastle.Security.Certificates.CrlException
                                       // The crypto library reports bad encodings as IOException (Asn1Exception, EndOfStreamException) and wrong types as InvalidCastException.
                                       or System.IO.IOException or InvalidCastException)
            {
                throw new PscException("MalformedCrl", FailureCategory.InvalidData, "The CRL is not a valid X.509 CRL: " + ex.Message, ex);
            }
        }

        private static CrlInfo ReadStructure(byte[] der)
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbs = outer.ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger(); // version
            tbs.ReadSequence(); // signature algorithm
            var issuer = DistinguishedNames.Format(Org.BouncyCastle.Asn1.X509.X509Name.GetInstance(Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(tbs.ReadEncodedValue().ToArray())));
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && IsTime(tbs.PeekTag())) nextUpdate = ReadTime(tbs);
            var entries = new List<CrlEntry>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var revoked = tbs.ReadSequence();
                while (revoked.HasData)
                {
                    var entry = revoked.ReadSequence();
                    var serial = entry.ReadIntegerBytes().ToArray();
                    var date = ReadTime(entry);
                    RevocationReason? reason = null;
                    if (entry.HasData)
                    {
                        var exts = entry.ReadSequence();
                        while (exts.HasData)
                        {
                            var ext = exts.ReadSequence();
                            var oid = ext.ReadObjectIdentifier();
                            if (ext.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean)) ext.ReadBoolean();
                            var value = ext.ReadOctetString();
                            if (oid == ReasonCodeOid)
                                reason = (RevocationReason)(int)new AsnReader(value, AsnEncodingRules.DER).ReadEnumeratedValue<CrlReasonValue>();
                        }
                    }
                    entries.Add(new CrlEntry(Hex.Encode(serial), date, reason));
                }
            }
            string? crlNumber = null;
            if (tbs.HasData)
            {
                var explicitExts = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
                var exts = explicitExts.ReadSequence();
                while (exts.HasData)
                {
                    var ext = exts.ReadSequence();
                    var oid = ext.ReadObjectIdentifier();
                    if (ext.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean)) ext.ReadBoolean();
                    var value = ext.ReadOctetString();
                    if (oid == CrlNumberOid)
                        crlNumber = new AsnReader(value, AsnEncodingRules.DER).ReadInteger().ToString();
                }
            }
            return new CrlInfo { Issuer = issuer, ThisUpdate = thisUpdate, NextUpdate = nextUpdate, CrlNumber = crlNumber, Entries = entries };
        }

        private static bool VerifySignature(byte[] crlDer, byte[] issuerCertificate)
        {
            var issuerDer = Pem.ReadPemOrDer(issuerCertificate, "issuer certificate", "CERTIFICATE");
            Org.BouncyCastle.X509.X509Certificate? issuer;
            Org.BouncyCastle.Crypto.AsymmetricKeyParameter issuerKey;
            try
            {
                // The parser returns null for input without a certificate in it.
                issuer = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(issuerDer);
                if (issuer == null) throw new FormatException("no certificate in it");
                KeyFactory.RejectExplicitCurve(Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo.GetInstance(
                    Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(issuer.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded())), "issuer certificate");
                issuerKey = issuer.GetPublicKey();
            }
            catch (Exception ex) when (ex is not PscException)
            {
                // The issuer is the caller's file, not the CRL: say which of the two is wrong.
                throw new PscException("MalformedCertificate", FailureCategory.InvalidData, "The CRL's issuer certificate is not a valid X.509 certificate: " + ex.Message, ex);
            }
            var crl = new Org.BouncyCastle.X509.X509CrlParser().ReadCrl(crlDer);
            try
            {
                crl.Verify(issuerKey);
                return true;
            }
            catch (Exception ex) when (ex is Org.BouncyCastle.Security.SignatureException or Org.BouncyCastle.Security.InvalidKeyException
                                       or Org.BouncyCastle.Security.Certificates.CrlException
                                       // The crypto library reports bad encodings as IOException (Asn1Exception, EndOfStreamException) and wrong types as InvalidCastException.
                                       or System.IO.IOException or InvalidCastException)
            {
                return false;
            }
        }

        private static bool IsTime(Asn1Tag tag) =>
            tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

        private static DateTimeOffset ReadTime(AsnReader reader) =>
            reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

        // ReadEnumeratedValue needs an enum type; the numeric value is what we keep.
        private enum CrlReasonValue { }
    }
}
