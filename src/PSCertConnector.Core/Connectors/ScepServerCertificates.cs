using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>
    /// What GetCACert returned, sorted by role: the issuing CA, the rest of its chain, and the RA certificates a server
    /// such as NDES signs and decrypts with (none when the CA does both itself).
    /// </summary>
    public sealed record ScepServerCertificates(byte[] Ca, IReadOnlyList<byte[]> Chain, IReadOnlyList<byte[]> Ra)
    {
        /// <summary>Whom a request is encrypted to: the RA certificates that may encipher keys, else the CA.</summary>
        public IReadOnlyList<byte[]> Recipients
        {
            get
            {
                var encrypting = Ra.Where(c => Allows(c, X509KeyUsageFlags.KeyEncipherment)).ToList();
                return encrypting.Count > 0 ? encrypting.Take(1).ToList() : Ra.Count > 0 ? Ra.Take(1).ToList() : new[] { Ca };
            }
        }

        /// <summary>Who may sign the server's answers.</summary>
        public IReadOnlyList<byte[]> Signers => Ra.Concat(new[] { Ca }).ToList();

        /// <summary>Sorts a GetCACert answer: certificates with the CA flag are the CA and its chain, the others RA certificates.</summary>
        public static ScepServerCertificates Sort(IReadOnlyList<byte[]> certificates, string host)
        {
            if (certificates.Count == 0)
                throw new PscException("ScepNoCaCertificate", FailureCategory.InvalidData, $"{host} answered GetCACert with no certificate.") { Target = host };
            List<(byte[] Der, X509Certificate2 Cert)> details;
            try { details = certificates.Select(c => (Der: c, Cert: new X509Certificate2(c))).ToList(); }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                throw new PscException("ScepCaCertificateUnreadable", FailureCategory.InvalidData,
                    $"{host} answered GetCACert with a certificate that cannot be read ({DisplayText.Escape(ex.Message.TrimEnd('.'))}).") { Target = host };
            }
            try
            {
                var cas = details.Where(d => IsCa(d.Cert)).ToList();
                var ras = details.Where(d => !IsCa(d.Cert)).ToList();
                if (certificates.Count == 1) return new ScepServerCertificates(certificates[0], Array.Empty<byte[]>(), Array.Empty<byte[]>());
                if (cas.Count == 0)
                    throw new PscException("ScepNoCaCertificate", FailureCategory.InvalidData, $"{host} answered GetCACert with {certificates.Count} certificates and none of them is a CA certificate.") { Target = host };
                // The issuing CA is the one that issued the RA certificates, else the one that issued no other CA certificate here.
                var issuing = ras.Select(r => cas.FirstOrDefault(c => c.Cert.SubjectName.RawData.AsSpan().SequenceEqual(r.Cert.IssuerName.RawData))).FirstOrDefault(c => c.Der != null);
                if (issuing.Der == null)
                    issuing = cas.FirstOrDefault(c => !cas.Any(o => o.Der != c.Der && o.Cert.IssuerName.RawData.AsSpan().SequenceEqual(c.Cert.SubjectName.RawData)));
                if (issuing.Der == null) issuing = cas[0];
                return new ScepServerCertificates(issuing.Der, cas.Where(c => c.Der != issuing.Der).Select(c => c.Der).ToList(), ras.Select(r => r.Der).ToList());
            }
            finally
            {
                foreach (var d in details) d.Cert.Dispose();
            }
        }

        private static bool IsCa(X509Certificate2 certificate) =>
            certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

        private static bool Allows(byte[] der, X509KeyUsageFlags flag)
        {
            using var certificate = new X509Certificate2(der);
            var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
            return usage == null || (usage.KeyUsages & flag) != 0;
        }

        /// <summary>True when the CA or a certificate of its chain has this SHA-256 fingerprint (64 hex digits).</summary>
        public bool HasFingerprint(string sha256) => Pinned(sha256) != null;

        private byte[]? Pinned(string sha256) =>
            new[] { Ca }.Concat(Chain).FirstOrDefault(c => string.Equals(CertificateReader.Read(c).ThumbprintSha256, sha256, StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// Refuses an answer whose parts do not hang together: every RA certificate must be issued by the CA, and with a pin
        /// the CA must be the pinned certificate or be issued, through the chain returned, by it. Otherwise someone in
        /// between could add an RA of their own next to the real CA and read the challenge encrypted to it.
        /// </summary>
        public void RequireConsistent(string? pinnedSha256, string host)
        {
            foreach (var ra in Ra)
                if (!KeyFactory.IsIssuedBy(ra, Ca))
                    throw new PscException("ScepRaNotIssuedByCa", FailureCategory.SecurityError,
                        $"{host} returned the RA certificate '{CertificateReader.Read(ra).Subject}', which the CA '{CertificateReader.Read(Ca).Subject}' did not issue. Nothing was sent.") { Target = host };
            if (pinnedSha256 == null) return;
            var pinned = Pinned(pinnedSha256)!;
            var current = Ca;
            for (int depth = 0; depth <= Chain.Count && !current.AsSpan().SequenceEqual(pinned); depth++)
            {
                var issuer = Chain.FirstOrDefault(c => KeyFactory.IsIssuedBy(current, c));
                if (issuer == null || issuer.AsSpan().SequenceEqual(current)) break;
                current = issuer;
            }
            if (!current.AsSpan().SequenceEqual(pinned))
                throw new PscException("ScepCaFingerprintMismatch", FailureCategory.SecurityError,
                    $"{host} returned the pinned certificate, but its CA '{CertificateReader.Read(Ca).Subject}' does not chain to it. Nothing was sent.") { Target = host };
        }
    }
}
