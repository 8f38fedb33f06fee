using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Lab;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>Runs only where a Samba AD DC can be started (samba installed, root for ports 88/389/636): .ci/run installs it.</summary>
    public sealed class SambaFactAttribute : FactAttribute
    {
        public static readonly string? Unavailable = WhyUnavailable();

        public SambaFactAttribute()
        {
            if (Unavailable != null) Skip = Unavailable;
        }

        private static string? WhyUnavailable()
        {
            if (OperatingSystem.IsWindows()) return "Needs Linux: the Samba AD DC runs on this machine.";
            var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").ToList();
            var missing = new[] { "samba", "ldbadd", "kinit" }.Where(tool => !path.Any(p => File.Exists(Path.Combine(p, tool)))).ToList();
            if (missing.Count > 0)
                return $"Needs {string.Join(", ", missing)}: apt-get install samba samba-ad-dc ldb-tools krb5-user libsasl2-modules-gssapi-mit (.ci/run installs them).";
            if (Environment.UserName != "root") return "Needs root: the DC listens on 127.0.0.1 ports 88, 389 and 636.";
            return null;
        }
    }

    /// <summary>NTLM through GSSAPI exists only where the gss-ntlmssp mechanism is installed (.ci/run installs it).</summary>
    public sealed class NtlmFactAttribute : FactAttribute
    {
        public const string MechanismFile = "/etc/gss/mech.d/mech.ntlmssp.conf";

        public NtlmFactAttribute()
        {
            if (SambaFactAttribute.Unavailable != null) Skip = SambaFactAttribute.Unavailable;
            else if (!File.Exists(MechanismFile)) Skip = "Needs gss-ntlmssp (apt-get install gss-ntlmssp) for NTLM through GSSAPI.";
        }
    }

    /// <summary>
    /// A real directory and KDC: tests/samba/ad-dc.sh provisions a Samba AD DC on 127.0.0.1 (realm PSC.TEST), seeds
    /// AD CS objects pointing at a Lab server that accepts Kerberos, and creates the user 'enroller'. The test
    /// process gets krb5.conf, the Lab's keytab and a ticket cache with the user's ticket through native
    /// environment variables, the way a Linux host is configured.
    /// </summary>
    public sealed class SambaDcFixture : IAsyncLifetime
    {
        public const string Realm = "PSC.TEST";
        public const string User = "enroller";
        public const string Forest = "psc.test";
        public string UserPassword { get; } = "Enr-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "!a";
        private readonly string _adminPassword = "Adm-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "!a";
        private readonly TempHome _labHome = new();
        public string Directory { get; } = Path.Combine(Path.GetTempPath(), "psc-dc-" + Guid.NewGuid().ToString("N")[..8]);
        public LabAuthority Authority { get; private set; } = null!;
        public LabServer Lab { get; private set; } = null!;
        public string TicketCache => "FILE:" + Path.Combine(Directory, "ccache");
        /// <summary>An account only the Lab's NTLM acceptor knows (gss-ntlmssp's user file): NTLM, not Kerberos, must carry it.</summary>
        public const string NtlmDomain = "LABNT", NtlmUser = "ntlmuser";
        public string NtlmPassword { get; } = "Ntlm-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        private static string Script => Path.Combine(AppContext.BaseDirectory, "samba", "ad-dc.sh");

        public async Task InitializeAsync()
        {
            if (SambaFactAttribute.Unavailable != null) return;
            Authority = LabAuthority.OpenOrCreate(_labHome.Path);
            Lab = await LabServer.StartAsync(Authority, new LabOptions
            {
                Users = new Dictionary<string, string> { [LabFixture.User] = LabFixture.Password },
                Negotiate = true,
            });
            var files = Path.Combine(_labHome.Path, "dc-input");
            System.IO.Directory.CreateDirectory(files);
            var caCert = Path.Combine(files, "ca.der");
            File.WriteAllBytes(caCert, Authority.Ca.IssuingCertificate);
            // The DC's LDAPS certificate is the Lab's TLS certificate (localhost, 127.0.0.1), so the Lab bundle trusts both.
            var tlsCert = Path.Combine(files, "tls.pem");
            File.WriteAllText(tlsCert, Authority.TlsCertificate.ExportCertificatePem());
            var tlsKey = Path.Combine(files, "tls-key.pem");
            using (var key = (AsymmetricAlgorithm?)Authority.TlsCertificate.GetRSAPrivateKey() ?? Authority.TlsCertificate.GetECDsaPrivateKey())
                File.WriteAllText(tlsKey, key!.ExportPkcs8PrivateKeyPem());

            var (code, output) = Run("bash", new[] { Script, "start", Directory }, new Dictionary<string, string>
            {
                ["PSC_DC_ADMIN_PASSWORD"] = _adminPassword,
                ["PSC_DC_USER_PASSWORD"] = UserPassword,
                ["PSC_DC_CA_CERT"] = caCert,
                ["PSC_DC_LAB_PORT"] = Lab.BaseUri.Port.ToString(),
                ["PSC_DC_TLS_CERT"] = tlsCert,
                ["PSC_DC_TLS_KEY"] = tlsKey,
            }, TimeSpan.FromMinutes(3));
            File.Delete(tlsKey);
            if (code != 0) throw new InvalidOperationException($"The Samba AD DC did not start ({code}): {output}");

            NativeEnvironment.Set("KRB5_CONFIG", Path.Combine(Directory, "krb5.conf"));
            NativeEnvironment.Set("KRB5_KTNAME", "FILE:" + Path.Combine(Directory, "http.keytab")); // the Lab's service key
            NativeEnvironment.Set("KRB5CCNAME", TicketCache);
            NativeEnvironment.Set("LDAPTLS_CACERT", Authority.BundlePath);
            // 127.0.0.1 reverse-resolves to whatever /etc/hosts says; name the DC as given (ldap/localhost).
            NativeEnvironment.Set("LDAPSASL_NOCANON", "on");
            File.WriteAllText(Path.Combine(Directory, "ntlm-users"), $"{NtlmDomain}:{NtlmUser}:{NtlmPassword}\n");
            Kinit(UserPassword).Should0();
        }

        /// <summary>kinit enroller@PSC.TEST into the fixture's ticket cache; returns kinit's exit code and output.</summary>
        public (int Code, string Output) Kinit(string password) =>
            Run("kinit", new[] { User + "@" + Realm }, new Dictionary<string, string>
            {
                ["KRB5_CONFIG"] = Path.Combine(Directory, "krb5.conf"),
                ["KRB5CCNAME"] = TicketCache,
            }, TimeSpan.FromSeconds(30), stdin: password + "\n");

        /// <summary>Runs <paramref name="body"/> with KRB5CCNAME pointing at an empty cache: a user who never ran kinit.</summary>
        public T WithoutTicket<T>(Func<T> body)
        {
            NativeEnvironment.Set("KRB5CCNAME", "FILE:" + Path.Combine(Directory, "no-such-ccache"));
            try { return body(); }
            finally { NativeEnvironment.Set("KRB5CCNAME", TicketCache); }
        }

        /// <summary>
        /// Runs <paramref name="body"/> with no Kerberos ticket and with gss-ntlmssp's user file set for the Lab's acceptor.
        /// Only here: gss-ntlmssp also offers that file's account as a client's default credential.
        /// </summary>
        public T WithNtlmOnly<T>(Func<T> body)
        {
            NativeEnvironment.Set("NTLM_USER_FILE", Path.Combine(Directory, "ntlm-users"));
            try { return WithoutTicket(body); }
            finally { NativeEnvironment.Set("NTLM_USER_FILE", null); }
        }

        public async Task DisposeAsync()
        {
            if (SambaFactAttribute.Unavailable != null) return;
            Run("bash", new[] { Script, "stop", Directory }, new Dictionary<string, string>(), TimeSpan.FromMinutes(1));
            await Lab.DisposeAsync();
            Authority.Dispose();
            _labHome.Dispose();
        }

        private static (int Code, string Output) Run(string file, string[] args, IDictionary<string, string> environment, TimeSpan timeout, string? stdin = null)
        {
            var start = new ProcessStartInfo(file);
            foreach (var arg in args) start.ArgumentList.Add(arg);
            foreach (var (name, value) in environment) start.Environment[name] = value;
            return ProcessRunner.Run(start, timeout, stdin);
        }
    }

    internal static class ProcessResultExtensions
    {
        public static void Should0(this (int Code, string Output) result)
        {
            if (result.Code != 0) throw new InvalidOperationException($"exit {result.Code}: {result.Output}");
        }
    }

    /// <summary>
    /// The directory tests share the CLI tests' collection: the CLI sets the process-wide home folder and the DC sets
    /// process-wide Kerberos variables, so neither may run beside the other.
    /// </summary>
    [CollectionDefinition(Name)]
    public sealed class SambaCollection : ICollectionFixture<SambaDcFixture>
    {
        public const string Name = "cli";
    }
}
