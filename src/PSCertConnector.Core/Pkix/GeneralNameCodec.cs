using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace PSCertConnector.Core.Pkix
{
    internal static class GeneralNameCodec
    {
        public static GeneralNames Encode(IEnumerable<SubjectAlternativeName> names) =>
            new GeneralNames(names.Select(Encode).ToArray());

        private static GeneralName Encode(SubjectAlternativeName san) => san.Type switch
        {
            SanType.Dns => new GeneralName(GeneralName.DnsName, san.Value),
            SanType.IpAddress => new GeneralName(GeneralName.IPAddress, new DerOctetString(IPAddress.Parse(san.Value).GetAddressBytes())),
            SanType.Email => new GeneralName(GeneralName.Rfc822Name, san.Value),
            SanType.Uri => new GeneralName(GeneralName.UniformResourceIdentifier, san.Value),
            SanType.Upn => new GeneralName(GeneralName.OtherName,
                new DerSequence(new DerObjectIdentifier(Oids.Upn), new DerTaggedObject(true, 0, new DerUtf8String(san.Value)))),
            SanType.OtherName => EncodeOtherName(san.Value),
            _ => throw new ArgumentOutOfRangeException(nameof(san)),
        };

        private static GeneralName EncodeOtherName(string value)
        {
            var parts = value.Split(new[] { ';' }, 2);
            Hex.TryDecode(parts[1], out var der);
            Asn1Object inner;
            try { inner = Asn1Object.FromByteArray(der); }
            catch (Exception ex) when (ex is System.IO.IOException or ArgumentException)
            {
                throw new PscException("InvalidSubjectAlternativeName", FailureCategory.InvalidArgument,
                    $"The other name value for {parts[0]} is not DER-encoded ASN.1.", ex);
            }
            return new GeneralName(GeneralName.OtherName, new DerSequence(new DerObjectIdentifier(parts[0]), new DerTaggedObject(true, 0, inner)));
        }

        public static IReadOnlyList<SubjectAlternativeName> Decode(Asn1Encodable? extensionValue)
        {
            var result = new List<SubjectAlternativeName>();
            if (extensionValue == null) return result;
            foreach (var name in GeneralNames.GetInstance(extensionValue).GetNames())
            {
                switch (name.TagNo)
                {
                    case GeneralName.DnsName: result.Add(new SubjectAlternativeName(SanType.Dns, name.Name.ToString())); break;
                    case GeneralName.Rfc822Name: result.Add(new SubjectAlternativeName(SanType.Email, name.Name.ToString())); break;
                    case GeneralName.UniformResourceIdentifier: result.Add(new SubjectAlternativeName(SanType.Uri, name.Name.ToString())); break;
                    case GeneralName.IPAddress:
                        var octets = Asn1OctetString.GetInstance(name.Name).GetOctets();
                        if (octets.Length is 4 or 16)
                            result.Add(new SubjectAlternativeName(SanType.IpAddress, new IPAddress(octets).ToString()));
                        break;
                    case GeneralName.OtherName:
                        var seq = Asn1Sequence.GetInstance(name.Name);
                        var oid = DerObjectIdentifier.GetInstance(seq[0]).Id;
                        var value = Asn1TaggedObject.GetInstance(seq[1]).GetExplicitBaseObject().ToAsn1Object();
                        if (oid == Oids.Upn && value is IAsn1String s)
                            result.Add(new SubjectAlternativeName(SanType.Upn, s.GetString()));
                        else
                            result.Add(new SubjectAlternativeName(SanType.OtherName, oid + ";" + Hex.Encode(value.GetDerEncoded())));
                        break;
                }
            }
            return result;
        }

        /// <summary>
        /// <see cref="Decode(Asn1Encodable?)"/> of a SAN extension's value, read forward when it holds only DNS names, e-mail
        /// addresses, URIs and IP addresses (what nearly every certificate has); other kinds go to the crypto library.
        /// </summary>
        public static IReadOnlyList<SubjectAlternativeName> DecodeDer(byte[] extensionValue)
        {
            try
            {
                var names = new AsnReader(extensionValue, AsnEncodingRules.DER).ReadSequence();
                var result = new List<SubjectAlternativeName>();
                while (names.HasData)
                {
                    var tag = names.PeekTag();
                    if (tag.TagClass != TagClass.ContextSpecific || tag.IsConstructed) return Decode(Asn1Object.FromByteArray(extensionValue));
                    switch (tag.TagValue)
                    {
                        case GeneralName.DnsName: result.Add(new SubjectAlternativeName(SanType.Dns, names.ReadCharacterString(UniversalTagNumber.IA5String, tag))); break;
                        case GeneralName.Rfc822Name: result.Add(new SubjectAlternativeName(SanType.Email, names.ReadCharacterString(UniversalTagNumber.IA5String, tag))); break;
                        case GeneralName.UniformResourceIdentifier: result.Add(new SubjectAlternativeName(SanType.Uri, names.ReadCharacterString(UniversalTagNumber.IA5String, tag))); break;
                        case GeneralName.IPAddress:
                            var octets = names.ReadOctetString(tag);
                            if (octets.Length is 4 or 16) result.Add(new SubjectAlternativeName(SanType.IpAddress, new IPAddress(octets).ToString()));
                            break;
                        default: return Decode(Asn1Object.FromByteArray(extensionValue));
                    }
                }
                return result;
            }
            // The crypto library decides what it accepts and how it fails: the same as before this fast path.
            catch (AsnContentException) { return Decode(Asn1Object.FromByteArray(extensionValue)); }
        }

        /// <summary><see cref="DecodeEku(Asn1Encodable?)"/> of an EKU extension's value, read forward.</summary>
        public static IReadOnlyList<string> DecodeEkuDer(byte[] extensionValue)
        {
            try
            {
                var oids = new AsnReader(extensionValue, AsnEncodingRules.DER).ReadSequence();
                var result = new List<string>();
                while (oids.HasData) result.Add(oids.ReadObjectIdentifier());
                return result;
            }
            catch (AsnContentException) { return DecodeEku(Asn1Object.FromByteArray(extensionValue)); }
        }

        public static IReadOnlyList<string> DecodeEku(Asn1Encodable? extensionValue)
        {
            if (extensionValue == null) return Array.Empty<string>();
            return Asn1Sequence.GetInstance(extensionValue).Cast<Asn1Encodable>()
                .Select(o => DerObjectIdentifier.GetInstance(o).Id).ToList();
        }

        public static Asn1Encodable EncodeEku(IEnumerable<string> oids) =>
            new DerSequence(oids.Select(o => (Asn1Encodable)new DerObjectIdentifier(o)).ToArray());

        /// <summary>X509KeyUsageFlags from a KeyUsage BIT STRING.</summary>
        public static int DecodeKeyUsage(Asn1Encodable value)
        {
            var bits = DerBitString.GetInstance(value);
            return bits.IntValue;
        }
    }
}
