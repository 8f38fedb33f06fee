using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core;
using PSCertConnector.Core.EmbeddedCa;
using PSCertConnector.Core.Pkix;

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

        private LabAuthority(string home, string caName, EmbeddedCertificateAuthority ca, X509Certificate2 tls)
        {
            Home = home;
            CaName = caName;
            Ca = ca;
            TlsCertificate = tls;
        }

        public string Home { get; }
        public string CaName { get; }
        public EmbeddedCertificateAuthority Ca { get; }
        public X509Certificate2 TlsCertificate { get; }
        public string BundlePath => Path.Combine(Home, BundleFileName);
        public X509Certificate2 IssuingCertificate => X509CertificateLoader.LoadCertificate(Ca.IssuingCertificate);

        public static LabAuthority OpenOrCreate(string home, string caName = DefaultCaName)
        {
            Directory.CreateDirectory(home);
            var ca = EmbeddedCertificateAuthority.OpenOrCreate(Path.Combine(home, "ca"), SecretProtector.ForHome(home),
                new EmbeddedCaSettings { Name = caName }, allowCreate: true);
            try
            {
                File.WriteAllText(Path.Combine(home, BundleFileName),
                    Pem.Encode("CERTIFICATE", ca.RootCertificate) + Pem.Encode("CERTIFICATE", ca.IssuingCertificate));
                return new LabAuthority(home, caName, ca, IssueTlsCertificate(ca));
            }
            catch
            {
                ca.Dispose();
                throw;
            }
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
            TlsCertificate.Dispose();
            Ca.Dispose();
        }
    }
}
