using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>Reads what the inventory keeps from a certificate, from PEM or DER, without touching the key.</summary>
    public static class CertificateReader
    {
        public static CertificateDetails Read(byte[] input)
        {
            var der = Pem.ReadPemOrDer(input, "certificate", "CERTIFICATE");
            try { return ReadDer(der); }
            catch (Exception ex) when (ex is System.Formats.Asn1.AsnContentException or ArgumentException or InvalidOperationException
                                       or FormatException or System.IO.IOException or InvalidCastException)
            {
                throw new PscException("MalformedCertificate", FailureCategory.InvalidData, "The certificate is not a valid X.509 structure: " + ex.Message, ex);
            }
        }

        // A forward-only read of the fields the inventory keeps: imports read hundreds of thousands of these,
        // and building the crypto library's object tree for each costs several times more. Names, hashes and the
        // serial are read from slices of the DER; only the extensions the inventory decodes are copied out.
        private static CertificateDetails ReadDer(byte[] der)
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, true))) tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            var serial = tbs.ReadIntegerBytes();
            tbs.ReadSequence(); // signature algorithm
            var issuerDer = tbs.ReadEncodedValue();
            var validity = tbs.ReadSequence();
            var notBefore = ReadTime(validity);
            var notAfter = ReadTime(validity);
            var subjectDer = tbs.ReadEncodedValue();
            var spki = tbs.ReadEncodedValue();
            IReadOnlyList<SubjectAlternativeName> sans = Array.Empty<SubjectAlternativeName>();
            IReadOnlyList<string> ekus = Array.Empty<string>();
            string? templateName = null, templateOid = null;
            bool isCa = false;
            var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 3, true);
            while (tbs.HasData)
            {
                if (!tbs.PeekTag().HasSameClassAndValue(extensionsTag)) { tbs.ReadEncodedValue(); continue; }
                var extensions = tbs.ReadSequence(extensionsTag).ReadSequence();
                while (extensions.HasData)
                {
                    // Each extension is matched by its OID's encoding rather than by a dotted string built for each one.
                    var extension = extensions.ReadSequence();
                    var oid = extension.ReadEncodedValue();
                    if (!IsObjectIdentifier(oid.Span)) throw new AsnContentException("An extension's identifier is not a valid OBJECT IDENTIFIER.");
                    if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean)) extension.ReadBoolean();
                    // DER octet strings are primitive: the value is a slice, copied only for the extensions decoded below.
                    if (!extension.TryReadPrimitiveOctetString(out var value)) throw new AsnContentException("An extension value is not a primitive OCTET STRING.");
                    var id = oid.Span;
                    if (id.SequenceEqual(SanOid)) sans = GeneralNameCodec.DecodeDer(value.ToArray());
                    else if (id.SequenceEqual(EkuOid)) ekus = GeneralNameCodec.DecodeEkuDer(value.ToArray());
                    else if (id.SequenceEqual(TemplateNameOid)) templateName = TemplateExtensions.ReadName(value.ToArray());
                    else if (id.SequenceEqual(TemplateInfoOid)) templateOid = TemplateExtensions.ReadOid(value.ToArray());
                    else if (id.SequenceEqual(BasicConstraintsOid))
                    {
                        var constraints = new AsnReader(value, AsnEncodingRules.DER).ReadSequence();
                        isCa = constraints.HasData && constraints.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && constraints.ReadBoolean();
                    }
                }
            }

            var subject = DistinguishedNames.FormatDer(subjectDer, out var commonName);
            var issuer = DistinguishedNames.FormatDer(issuerDer, out _);
            return new CertificateDetails
            {
                Subject = subject,
                CommonName = commonName,
                Issuer = issuer,
                IssuerKey = Hex.Encode(Hash(Sha256, issuerDer)),
                SerialNumber = Hex.Encode(serial.Span),
                ThumbprintSha1 = Hex.Encode(Hash(Sha1, der)),
                ThumbprintSha256 = Hex.Encode(Hash(Sha256, der)),
                NotBefore = notBefore,
                NotAfter = notAfter,
                SubjectAlternativeNames = sans,
                EnhancedKeyUsages = ekus,
                Template = templateName ?? templateOid,
                PublicKeyId = Hex.Encode(Hash(Sha256, spki)),
                IsCa = isCa,
            };
        }

        private static readonly byte[] SanOid = EncodeOid("2.5.29.17"), EkuOid = EncodeOid("2.5.29.37"), BasicConstraintsOid = EncodeOid("2.5.29.19"),
            TemplateNameOid = EncodeOid(Oids.CertificateTemplateName), TemplateInfoOid = EncodeOid(Oids.CertificateTemplateInfo);

        private static byte[] EncodeOid(string oid)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            writer.WriteObjectIdentifier(oid);
            return writer.Encode();
        }

        // What reading it as a dotted string would check of a value whose length was already read: the OID tag, at least
        // one byte, every arc minimally encoded and the last one complete.
        private static bool IsObjectIdentifier(ReadOnlySpan<byte> encoded)
        {
            if (encoded.Length < 3 || encoded[0] != 0x06) return false;
            int header = encoded[1] < 0x80 ? 2 : 2 + (encoded[1] & 0x7F);
            if (encoded.Length <= header) return false;
            var content = encoded.Slice(header);
            if ((content[content.Length - 1] & 0x80) != 0) return false;
            bool arcStart = true;
            foreach (var b in content)
            {
                if (arcStart && b == 0x80) return false;
                arcStart = (b & 0x80) == 0;
            }
            return true;
        }

        // One hash object per thread, reused: creating one per certificate showed in the import's allocation.
        [ThreadStatic] private static SHA1? _sha1;
        [ThreadStatic] private static SHA256? _sha256;
        private static HashAlgorithm Sha1 => _sha1 ??= SHA1.Create();
        private static HashAlgorithm Sha256 => _sha256 ??= SHA256.Create();

        private static byte[] Hash(HashAlgorithm algorithm, ReadOnlyMemory<byte> data) =>
            MemoryMarshal.TryGetArray(data, out var segment)
                ? algorithm.ComputeHash(segment.Array!, segment.Offset, segment.Count)
                : algorithm.ComputeHash(data.ToArray());

        private static DateTimeOffset ReadTime(AsnReader reader) =>
            reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

        /// <summary>All certificates in a PEM bundle (or one DER certificate).</summary>
        public static System.Collections.Generic.IReadOnlyList<byte[]> ReadAll(byte[] input)
        {
            if (input.Length > 0 && input[0] == 0x30) return new[] { input };
            return Pem.Certificates(System.Text.Encoding.UTF8.GetString(input), "certificate bundle");
        }
    }
}
