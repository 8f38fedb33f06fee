using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Cli;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>The certconnector command end to end, in-process, against a real home folder.</summary>
    [Collection("cli")] // the CLI reads PSCERTCONNECTOR_HOME from the process environment
    public sealed class CliTests : IDisposable
    {
        private readonly TempHome _home = new();

        public void Dispose() => _home.Dispose();

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        [Fact]
        public void Demo_runs_the_whole_lifecycle_and_finds_the_revoked_serial_in_the_crl()
        {
            var demoHome = Path.Combine(_home.Path, "demo");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = Program.Run(new[] { "demo", "--home", demoHome }, stdout, stderr, null);
            exit.Should().Be(0, stderr.ToString());
            var text = stdout.ToString();
            text.Should().Contain("is Pending").And.Contain("now Issued").And.Contain("is on the CRL with reason KeyCompromise");
            text.Should().Contain("Finance").And.Contain("prod");
            text.Should().MatchRegex("order \\d+: Issued; the successor has serial [0-9A-F]+").And.MatchRegex("[0-9A-F]+ renews [0-9A-F]{40}; [0-9A-F]+ is renewed by [0-9A-F]{40}, so it is no longer due");
            File.Exists(Path.Combine(demoHome, "inventory.db")).Should().BeTrue();

            // A second run into the same home is refused rather than mixing states.
            Program.Run(new[] { "demo", "--home", demoHome }, new StringWriter(), stderr, null).Should().Be(2);
        }

        [Fact]
        public void Lifecycle_through_the_commands_with_json_output()
        {
            Cli("connector", "add", "--name", "lab", "--type", "local", "--business-unit", "IT", "--tag", "a,b", "--import-every", "2h").Exit.Should().Be(0);
            var show = JsonDocument.Parse(Cli("connector", "show", "lab", "--json").Out).RootElement;
            show.GetProperty("name").GetString().Should().Be("lab");
            show.GetProperty("importEvery").GetInt32().Should().Be(2);
            show.GetProperty("importEveryUnit").GetString().Should().Be("hours");
            show.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Equal("a", "b");

            var templates = JsonDocument.Parse(Cli("template", "list", "--connector", "lab", "--json").Out).RootElement;
            templates.EnumerateArray().Should().Contain(t => t.GetProperty("name").GetString() == "WebServerApproval" && t.GetProperty("requiresApproval").GetBoolean());

            var inf = _home.File("ra.ini");
            File.WriteAllText(inf, Samples.GuideCertreqIni);
            var csr = _home.File("ra.csr");
            var request = Cli("request", "new", "--inf", inf, "--out", csr);
            request.Exit.Should().Be(0, request.Err);
            request.Err.Should().Contain("warning: SMIME");
            OpenSsl.Ok($"req -in {csr} -verify -noout").Should().Contain("verify OK");

            var submitted = JsonDocument.Parse(Cli("submit", "--connector", "lab", "--template", "RA", "--csr", csr, "--json").Out).RootElement;
            submitted.GetProperty("status").GetString().Should().Be("issued");
            var orderId = submitted.GetProperty("id").GetInt64().ToString();
            Cli("order", "fetch", orderId).Exit.Should().Be(0);

            var certs = JsonDocument.Parse(Cli("cert", "list", "--json").Out).RootElement;
            var cert = certs.EnumerateArray().Single();
            cert.GetProperty("commonName").GetString().Should().Be("ra01.contoso.com");
            cert.GetProperty("hasPrivateKey").GetBoolean().Should().BeTrue();
            var serial = cert.GetProperty("serialNumber").GetString()!;

            var pfx = _home.File("ra.pfx");
            Environment.SetEnvironmentVariable("PSC_TEST_PFX_PASSWORD", "Str0ng!pass");
            Cli("cert", "export", serial, "--format", "pfx", "--out", pfx, "--chain", "--password-env", "PSC_TEST_PFX_PASSWORD").Exit.Should().Be(0);
            OpenSsl.Ok($"pkcs12 -in {pfx} -passin env:PSC_TEST_PFX_PASSWORD -nodes").Should().Contain("BEGIN PRIVATE KEY");
            OpenSsl.Run($"pkcs12 -in {pfx} -passin env:PSC_TEST_PFX_PASSWORD -noout -info").Output
                .Should().Contain("PBES2, PBKDF2, AES-256-CBC").And.Contain("PRF hmacWithSHA256").And.Contain("MAC: sha256");
            var again = Cli("cert", "export", serial, "--format", "pfx", "--out", pfx, "--password-env", "PSC_TEST_PFX_PASSWORD");
            again.Exit.Should().NotBe(0, "an existing file is not replaced without --force");
            again.Err.Should().Contain("[FileExists]");
            Cli("cert", "export", serial, "--format", "pfx", "--out", pfx, "--legacy-pfx", "--force", "--password-env", "PSC_TEST_PFX_PASSWORD").Exit.Should().Be(0);
            OpenSsl.Run($"pkcs12 -in {pfx} -passin env:PSC_TEST_PFX_PASSWORD -noout -info").Output.Should().Contain("pbeWithSHA1And3-KeyTripleDES-CBC");

            var denied = Cli("revoke", serial, "--reason", "superseded");
            denied.Exit.Should().Be(1, "revocation needs --yes when nobody can be asked");
            denied.Err.Should().Contain("--yes");
            Cli("revoke", serial, "--reason", "superseded", "--what-if").Err.Should().Contain("What if");
            Cli("cert", "show", serial, "--json").Out.Should().Contain("\"status\": \"valid\"");
            Cli("revoke", serial, "--reason", "superseded", "--yes").Exit.Should().Be(0);

            var crlPath = _home.File("lab.crl");
            var crl = JsonDocument.Parse(Cli("crl", "show", "--connector", "lab", "--out", crlPath, "--json").Out).RootElement;
            crl.GetProperty("entries").EnumerateArray().Should().ContainSingle(e => e.GetProperty("serialNumber").GetString() == serial && e.GetProperty("reason").GetString() == "superseded");
            OpenSsl.Ok($"crl -inform DER -in {crlPath} -noout -text").Should().Contain(serial);
        }

        [Fact]
        public void Intune_rules_through_the_cli_give_a_request_openssl_reads_and_check_the_pki_platform_values()
        {
            var csr = _home.File("intune.csr");
            var made = Cli("request", "new", "--intune", "cn-email", "--subject", "CN=Ada Lovelace", "--upn", "ada_l@contoso.com",
                "--profile-oid", "2.16.840.1.113733.1.16.1.2.3.1.1.61904612", "--out", csr);
            made.Exit.Should().Be(0, made.Err);
            made.Err.Should().Contain("used as the email").And.Contain("'_'");
            var text = OpenSsl.Ok($"req -in {csr} -verify -noout -text");
            text.Should().Contain("verify OK").And.Contain("CN = Ada Lovelace").And.Contain("emailAddress = ada_l@contoso.com");
            text.Should().Contain("email:ada_l@contoso.com").And.Contain("othername: UPN::ada_l@contoso.com");
            PSCertConnector.Core.Pkix.CsrParser.Parse(File.ReadAllBytes(csr)).Attributes["CertificateTemplate"]
                .Should().Be("2.16.840.1.113733.1.16.1.2.3.1.1.61904612", "the profile OID travels as the CertificateTemplate attribute");

            Cli("request", "new", "--intune", "cn", "--subject", "CN=Nobody").Err.Should().Contain("IntuneAttributeMissing");
            var upnOnly = _home.File("upn-only.csr");
            Cli("request", "new", "--intune", "cn", "--no-email-san", "--subject", "CN=Bob", "--upn", "bob@contoso.com", "--out", upnOnly).Exit.Should().Be(0);
            OpenSsl.Ok($"req -in {upnOnly} -noout -text").Should().Contain("othername: UPN::bob@contoso.com").And.NotContain("email:", "--no-email-san is a switch");
            Cli("request", "new", "--subject", "CN=x", "--email", "a@b.c").Exit.Should().Be(2, "--email without --intune is a usage error");

            var good = Cli("intune", "check", "--ca-fqdn", "pki-ws.symauth.com", "--ca-name", "Symantec", "--profile-oid", "2.16.840.1.113733.1.16.1.2.3.1.1.61904612");
            good.Exit.Should().Be(0, good.Err);
            var bad = Cli("intune", "check", "--ca-fqdn", "https://pki-ws.symauth.com/", "--ca-name", "DigiCert");
            bad.Exit.Should().Be(1);
            bad.Err.Should().Contain("[InvalidCaFqdn]").And.Contain("[InvalidCaName]");
        }

        [Fact]
        public void Options_may_come_before_the_command()
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Program.Run(new[] { "--home", _home.Path, "connector", "add", "--name", "first", "--type", "local" }, stdout, stderr, null).Should().Be(0, stderr.ToString());
            Program.Run(new[] { "--json", "--home", _home.Path, "connector", "list" }, stdout, stderr, null).Should().Be(0, stderr.ToString());
            stdout.ToString().Should().Contain("\"name\": \"first\"");

            var templates = new StringWriter();
            Program.Run(new[] { "template", "list", "first", "Web*", "--home", _home.Path }, templates, stderr, null).Should().Be(0, stderr.ToString());
            templates.ToString().Should().Contain("WebServerApproval").And.NotContain("Machine");
        }

        [Fact]
        public void Failures_exit_non_zero_with_one_line_reasons()
        {
            var missing = Cli("connector", "show", "nope");
            missing.Exit.Should().Be(1);
            missing.Err.Trim().Should().StartWith("error: No connector is named 'nope'").And.EndWith("[ConnectorNotFound]");

            var badOption = Cli("cert", "list", "--colour", "red");
            badOption.Exit.Should().Be(2);
            badOption.Err.Should().Contain("--colour");

            var unknownType = Cli("connector", "add", "--name", "x", "--type", "adcs-nope");
            unknownType.Exit.Should().Be(1);
            unknownType.Err.Should().Contain("local");

            var badInf = _home.File("bad.ini");
            File.WriteAllText(badInf, "[NewRequest]\nSubject = \"CN=a\"\nKeyUsage = banana\n");
            var inf = Cli("request", "new", "--inf", badInf);
            inf.Exit.Should().Be(1);
            inf.Err.Should().Contain("KeyUsage").And.NotContain("   at ");

            Cli("connector", "add", "--name", "s", "--type", "local", "--secret-env", "PSC_TEST_NOT_SET").Err.Should().Contain("PSC_TEST_NOT_SET");
        }

        [Fact]
        public void A_request_file_with_two_requests_is_refused_not_half_used()
        {
            Cli("connector", "add", "--name", "lab", "--type", "local", "--setting", "keyAlgorithm=ECDSA_P256").Exit.Should().Be(0);
            var one = _home.File("one.csr");
            var two = _home.File("two.csr");
            Cli("request", "new", "--subject", "CN=one.contoso.com", "--key-algorithm", "ECDSA_P256", "--out", one).Exit.Should().Be(0);
            Cli("request", "new", "--subject", "CN=two.contoso.com", "--key-algorithm", "ECDSA_P256", "--out", two).Exit.Should().Be(0);
            var both = _home.File("both.csr");
            File.WriteAllText(both, File.ReadAllText(one) + File.ReadAllText(two));
            var submitted = Cli("submit", "--connector", "lab", "--template", "WebServer", "--csr", both);
            submitted.Exit.Should().Be(1);
            submitted.Err.Should().Contain("holds 2 of them").And.Contain("[MalformedInput]");

            var der = _home.File("both.der");
            File.WriteAllBytes(der, PSCertConnector.Core.Pkix.Pem.DecodeAll(File.ReadAllText(both), "requests").SelectMany(b => b.Der).ToArray());
            Cli("submit", "--connector", "lab", "--template", "WebServer", "--csr", der).Err.Should().Contain("follow the first one");
            JsonDocument.Parse(Cli("order", "list", "--json").Out).RootElement.GetArrayLength().Should().Be(0);
        }

        [Fact]
        public void Every_revocation_reason_the_error_lists_is_accepted_as_listed()
        {
            var wrong = Cli("revoke", "01", "--reason", "stolen", "--yes");
            wrong.Exit.Should().Be(2);
            var listed = wrong.Err[(wrong.Err.IndexOf("is not one of: ", StringComparison.Ordinal) + "is not one of: ".Length)..].Replace("[Usage]", "").Trim().TrimEnd('.').Split(", ");
            listed.Should().Contain("ca-compromise").And.Contain("key-compromise").And.Contain("remove-from-crl");
            foreach (var reason in listed)
                Cli("revoke", "01", "--reason", reason, "--yes").Err.Should().NotContain("is not one of", $"'{reason}' is listed, so it is accepted");
        }

        [Fact]
        public void Corrupt_home_gets_a_clear_error_and_stays_as_it_was()
        {
            var db = _home.File("inventory.db");
            File.WriteAllText(db, new string('z', 5000));
            var result = Cli("connector", "list");
            result.Exit.Should().Be(1);
            result.Err.Should().Contain("not a readable SQLite database").And.Contain("[StoreCorrupt]");
            File.ReadAllText(db).Should().Be(new string('z', 5000));
        }
    }
}
