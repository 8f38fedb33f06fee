using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// The Lab's CA: an embedded CA in the Lab's home folder, the TLS certificate it issued for the Lab's
    /// HTTPS endpoints, and the PEM bundle clients trust it with. Several Lab servers may share one (failover).
    /// </summary>
    public sealed class LabAuthority : IDisposable
    {
        public const string DefaultCaName = "PSCertConnector Lab CA";
        public const string BundleFileName = "lab-ca-bundle.pem";

        private const string PublicationPortFile = "publication-port";

        private LabAuthority(string home, string caName, EmbeddedCertificateAuthority ca, X509Certificate2 tls, LabPublication publication)
        {
            Home = home;
            CaName = caName;
            Ca = ca;
            TlsCertificate = tls;
            Publication = publication;
        }

        public string Home { get; }
        public string CaName { get; }
        public EmbeddedCertificateAuthority Ca { get; }
        public X509Certificate2 TlsCertificate { get; }
        /// <summary>The HTTP publication point the CA's AIA and CDP URLs name.</summary>
        public LabPublication Publication { get; }
        public string BundlePath => Path.Combine(Home, BundleFileName);
        /// <summary>The issuing and root CA certificates as the AIA caIssuers URLs name them.</summary>
        public IReadOnlyList<string> PublishedCertificateUrls => PublishedUrls(".crt");
        /// <summary>The issuing and root CRLs as the CDP URLs name them.</summary>
        public IReadOnlyList<string> PublishedCrlUrls => PublishedUrls(".crl");

        private IReadOnlyList<string> PublishedUrls(string extension) =>
            Directory.EnumerateFiles(Ca.PublicationFolder, "*" + extension).Select(Path.GetFileName).OrderBy(n => n!.Contains("-root") ? 1 : 0)
                .Select(n => new Uri(Publication.BaseUri, Uri.EscapeDataString(n!)).AbsoluteUri).ToList();
        public X509Certificate2 IssuingCertificate => X509CertificateLoader.LoadCertificate(Ca.IssuingCertificate);

        /// <summary>
        /// Opens the Lab's CA, creating it on first use, and starts its HTTP publication point. The CA's certificates
        /// name that point's URL, so its port is kept in the Lab home: later starts serve on the same port.
        /// </summary>
        /// <param name="publicationPort">The port for the first start (0 or null: any free one); later starts must use the kept one.</param>
        public static LabAuthority OpenOrCreate(string home, string caName = DefaultCaName, int? publicationPort = null)
        {
            Directory.CreateDirectory(home);
            var caFolder = Path.Combine(home, "ca");
            var kept = KeptPublicationPort(home);
            bool caExists = File.Exists(Path.Combine(caFolder, "issuing.crt"));
            if (kept is int k && caExists && publicationPort is int asked && asked != 0 && asked != k)
                throw new PscException("LabPublicationPortFixed", FailureCategory.InvalidArgument,
                    $"This Lab's CA publishes its certificates and CRLs on port {k}: the AIA and CDP URLs in every certificate it issued name that port. " +
                    $"Leave out --http-port (or give {k}), or use a new --lab-home for port {asked}.") { Target = asked.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            int port = (caExists ? kept : null) ?? publicationPort ?? 0;
            LabPublication publication;
            try { publication = LabPublication.Start(Path.Combine(caFolder, "pub"), port); }
            catch (IOException ex)
            {
                throw new PscException("LabPortInUse", FailureCategory.ResourceExists,
                    $"The Lab's publication point cannot listen on 127.0.0.1:{port} ({ex.Message})." +
                    (caExists && kept != null ? " Its CA's certificates name that port: free it, or use a new --lab-home." : " Pick another with --http-port, or 0 for any free one."), ex)
                { Target = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }
            EmbeddedCertificateAuthority? ca = null;
            try
            {
                ca = EmbeddedCertificateAuthority.OpenOrCreate(caFolder, SecretProtector.ForHome(home),
                    new EmbeddedCaSettings { Name = caName, PublicationBaseUrl = publication.BaseUri.AbsoluteUri }, allowCreate: true);
                var crlName = Path.GetFileName(ca.CrlPath);
                var opened = ca;
                publication.ServeFreshFrom(name => string.Equals(name, crlName, StringComparison.OrdinalIgnoreCase) ? opened.CurrentCrl() : null);
                AtomicFile.Write(Path.Combine(home, PublicationPortFile), System.Text.Encoding.ASCII.GetBytes(publication.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                File.WriteAllText(Path.Combine(home, BundleFileName),
                    Pem.Encode("CERTIFICATE", ca.RootCertificate) + Pem.Encode("CERTIFICATE", ca.IssuingCertificate));
                return new LabAuthority(home, caName, ca, IssueTlsCertificate(ca), publication);
            }
            catch
            {
                ca?.Dispose();
                publication.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }

        private static int? KeptPublicationPort(string home)
        {
            var file = Path.Combine(home, PublicationPortFile);
            return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                && port is > 0 and <= 65535 ? port : null;
        }

        /// <summary>A fresh server certificate for localhost and 127.0.0.1 each start; its key never leaves memory.</summary>
        private static X509Certificate2 IssueTlsCertificate(EmbeddedCertificateAuthority ca)
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var csr = CsrBuilder.Build(new RequestSpec
            {
                Subject = "CN=localhost, O=PSCertConnector Lab",
                SubjectAlternativeNames = new[] { new SubjectAlternativeName(SanType.Dns, "localhost"), new SubjectAlternativeName(SanType.IpAddress, "127.0.0.1") },
                KeyUsage = 0xa0,
                EnhancedKeyUsages = new[] { Oids.ServerAuth },
            }, key);
            var result = ca.Submit(csr, "WebServer", new Dictionary<string, string>());
            if (result.Certificate == null)
                throw new PscException("LabStartFailed", FailureCategory.InvalidOperation, $"The Lab CA did not issue the Lab's TLS certificate: {result.DispositionMessage}");
            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(key.ExportPkcs8(), out _);
            using var withKey = X509CertificateLoader.LoadCertificate(result.Certificate).CopyWithPrivateKey(rsa);
            // Round-trip through PKCS#12 so that SslStream on every platform can use the key.
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }

        /// <summary>True when the client certificate was issued by this Lab's CA, is in its validity period and allows client authentication.</summary>
        public bool Accepts(X509Certificate2 client, out string reason)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(Ca.RootCertificate));
            chain.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(Ca.IssuingCertificate));
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(Oids.ClientAuth));
            if (chain.Build(client))
            {
                reason = "";
                return true;
            }
            reason = string.Join("; ", Array.ConvertAll(chain.ChainStatus, s => s.StatusInformation.Trim()));
            return false;
        }

        public void Dispose()
        {
            Publication.DisposeAsync().AsTask().GetAwaiter().GetResult();
            TlsCertificate.Dispose();
            Ca.Dispose();
        }
    }
}
