using System.Text.Json;
using FluentAssertions;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>What is due and renewal, through certconnector against an embedded CA in a real home folder; OpenSSL checks the successors.</summary>
    [Collection("cli")]
    public sealed class RenewalTests : IDisposable
    {
        private readonly TempHome _home = new();

        public RenewalTests()
        {
            Cli("connector", "add", "--name", "ca", "--type", "local").Exit.Should().Be(0);
        }

        public void Dispose() => _home.Dispose();

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        private JsonElement Json(params string[] args) => InProcessCli.Json(_home.Path, args);

        /// <summary>A key and request made here, submitted and fetched: the certificate's serial.</summary>
        private string Enroll(string template, string commonName, params string[] extra)
        {
            var csr = _home.File(commonName + ".csr");
            var request = Cli(new[] { "request", "new", "--subject", "CN=" + commonName + ",O=Contoso", "--out", csr }.Concat(extra).ToArray());
            request.Exit.Should().Be(0, request.Err);
            return Fetch(Submit(template, csr));
        }

        private long Submit(string template, string csr)
        {
            var order = Json("submit", "--connector", "ca", "--template", template, "--csr", csr);
            order.GetProperty("status").GetString().Should().Be("issued");
            return order.GetProperty("id").GetInt64();
        }

        private string Fetch(long order) =>
            Json("order", "fetch", order.ToString()).EnumerateArray().Single().GetProperty("serialNumber").GetString()!;

        private JsonElement Show(string serial) => Json("cert", "show", serial);

        private string[] DueSerials() =>
            Json("cert", "list", "--needs-renewal").EnumerateArray().Select(c => c.GetProperty("serialNumber").GetString()!).ToArray();

        private string ExportPem(string serial, bool chain = false)
        {
            var path = _home.File(serial + (chain ? "-chain" : "") + ".pem");
            var args = new List<string> { "cert", "export", serial, "--format", "pem", "--out", path, "--force" };
            if (chain) args.Add("--chain");
            var run = Cli(args.ToArray());
            run.Exit.Should().Be(0, run.Err);
            return path;
        }

        private string PublicKey(string serial) => OpenSsl.Ok($"x509 -in {ExportPem(serial)} -noout -pubkey");

        [Fact]
        public void Due_follows_the_connector_and_template_policy_and_a_renewed_certificate_is_no_longer_due()
        {
            var web = Enroll("WebServer", "web1.contoso.com");      // 730 days
            var machine = Enroll("Machine", "host1.contoso.com");   // 365 days

            DueSerials().Should().BeEmpty("fresh certificates are far from the last 30 days or 20% of their life");
            Show(web).GetProperty("needsRenewal").GetBoolean().Should().BeFalse();

            Cli("connector", "set", "ca", "--setting", "renewBeforeDays=400").Exit.Should().Be(0);
            DueSerials().Should().Equal(new[] { machine }, "400 days before expiry is before a 365-day certificate was issued, and 330 days after a 730-day one was");

            Cli("connector", "set", "ca", "--setting", "renewBeforeDays:WebServer=730", "--setting", "renewBeforeDays:Machine=1").Exit.Should().Be(0);
            DueSerials().Should().Equal(new[] { web }, "a template's own setting replaces the connector's");
            Show(web).GetProperty("renewalDueFrom").GetDateTimeOffset().Should().BeBefore(DateTimeOffset.UtcNow);

            var renewed = Json("renew", web).EnumerateArray().Single();
            var successor = renewed.GetProperty("serialNumber").GetString()!;
            var old = Show(web);
            old.GetProperty("renewedBy").GetString().Should().Be(Show(successor).GetProperty("thumbprint").GetString());
            old.GetProperty("needsRenewal").GetBoolean().Should().BeFalse();
            Show(successor).GetProperty("renews").GetString().Should().Be(old.GetProperty("thumbprint").GetString());
            DueSerials().Should().NotContain(web).And.Contain(successor, "the successor has the same template, so the same policy");

            var again = Cli("renew", web);
            again.Exit.Should().Be(1);
            again.Err.Should().Contain("[AlreadyRenewed]").And.Contain(Show(successor).GetProperty("thumbprint").GetString());
        }

        [Fact]
        public void Policy_settings_are_checked_by_name_and_range()
        {
            var bad = Cli("connector", "set", "ca", "--setting", "renewAtPercent=150");
            bad.Exit.Should().NotBe(0);
            bad.Err.Should().Contain("'renewAtPercent'").And.Contain("1 to 99").And.Contain("[InvalidSetting]");
            var noTemplate = Cli("connector", "set", "ca", "--setting", "renewBeforeDays:=5");
            noTemplate.Err.Should().Contain("names no template").And.Contain("[InvalidSetting]");
            Cli("connector", "set", "ca", "--setting", "renewAtPercent=1").Exit.Should().Be(0);
            Json("connector", "show", "ca").GetProperty("settings").GetProperty("renewAtPercent").GetString().Should().Be("1");
        }

        [Fact]
        public void Renewal_keeps_subject_sans_key_usage_eku_and_template_with_a_new_key_and_openssl_verifies_the_successor()
        {
            var old = Enroll("RA", "ra01.contoso.com", "--san", "dns=ra01.contoso.com", "--san", "ip=192.0.2.7", "--key-usage", "0xa0",
                "--eku", "1.3.6.1.5.5.7.3.2", "--exportable");
            var renewal = Json("renew", old).EnumerateArray().Single();
            renewal.GetProperty("status").GetString().Should().Be("issued");
            renewal.GetProperty("keyReused").GetBoolean().Should().BeFalse();
            renewal.GetProperty("template").GetString().Should().Be("RA");
            var successor = renewal.GetProperty("serialNumber").GetString()!;
            successor.Should().NotBe(old);

            var before = Show(old);
            var after = Show(successor);
            after.GetProperty("subject").GetString().Should().Be("CN=ra01.contoso.com,O=Contoso").And.Be(before.GetProperty("subject").GetString());
            after.GetProperty("subjectAlternativeNames").EnumerateArray().Select(s => s.GetString()).Should().Equal("dns=ra01.contoso.com", "ipaddress=192.0.2.7");
            after.GetProperty("template").GetString().Should().Be("RA");
            after.GetProperty("hasPrivateKey").GetBoolean().Should().BeTrue();

            var text = OpenSsl.Ok($"x509 -in {ExportPem(successor)} -noout -text");
            text.Should().Contain("Digital Signature, Key Encipherment").And.Contain("TLS Web Client Authentication");
            PublicKey(successor).Should().NotBe(PublicKey(old), "a renewal gets a new key unless --reuse-key");
            OpenSsl.Ok($"verify -CAfile {ExportPem(successor, chain: true)} {ExportPem(successor)}").Should().Contain("OK");

            // The new key is kept exportable, as the old one was: the successor exports with its key.
            Environment.SetEnvironmentVariable("PSC_TEST_RENEW_PASSWORD", "Str0ng!pass");
            var pfx = _home.File("successor.pfx");
            Cli("cert", "export", successor, "--format", "pfx", "--out", pfx, "--password-env", "PSC_TEST_RENEW_PASSWORD").Exit.Should().Be(0);
            OpenSsl.Ok($"pkcs12 -in {pfx} -passin env:PSC_TEST_RENEW_PASSWORD -nodes").Should().Contain("BEGIN PRIVATE KEY");

            var order = Json("order", "list").EnumerateArray().Single(o => o.GetProperty("id").GetInt64() == renewal.GetProperty("orderId").GetInt64());
            order.GetProperty("renews").GetString().Should().Be(before.GetProperty("thumbprint").GetString());
        }

        [Fact]
        public void Reuse_key_keeps_the_public_key_and_is_refused_when_the_key_is_not_kept()
        {
            var kept = Enroll("WebServer", "web2.contoso.com");
            var renewal = Json("renew", kept, "--reuse-key").EnumerateArray().Single();
            renewal.GetProperty("keyReused").GetBoolean().Should().BeTrue();
            PublicKey(renewal.GetProperty("serialNumber").GetString()!).Should().Be(PublicKey(kept));

            // A certificate whose key was made elsewhere (here by OpenSSL): its key is not ours to reuse.
            var csr = _home.File("outside.csr");
            OpenSsl.Ok($"req -new -newkey rsa:2048 -nodes -keyout {_home.File("outside.key")} -subj /CN=outside.contoso.com -out {csr}");
            var outside = Fetch(Submit("WebServer", csr));
            Show(outside).GetProperty("hasPrivateKey").GetBoolean().Should().BeFalse();
            var refused = Cli("renew", outside, "--reuse-key");
            refused.Exit.Should().Be(1);
            refused.Err.Should().Contain("[KeyNotHeld]");
            Show(outside).GetProperty("renewedBy").ValueKind.Should().Be(JsonValueKind.Null);
            var fresh = Json("renew", outside).EnumerateArray().Single();
            PublicKey(fresh.GetProperty("serialNumber").GetString()!).Should().NotBe(PublicKey(outside));
        }

        [Fact]
        public void Revoke_old_asks_for_yes_and_revokes_the_predecessor_as_superseded_once_the_successor_exists()
        {
            var old = Enroll("WebServer", "web3.contoso.com");
            var unconfirmed = Cli("renew", old, "--revoke-old");
            unconfirmed.Exit.Should().NotBe(0);
            unconfirmed.Err.Should().Contain("--yes");
            Json("order", "list").EnumerateArray().Should().HaveCount(1, "nothing was submitted without the confirmation");

            var whatIf = Cli("renew", old, "--revoke-old", "--what-if");
            whatIf.Err.Should().Contain("What if").And.Contain("Renew");
            Show(old).GetProperty("status").GetString().Should().Be("valid");

            var renewal = Json("renew", old, "--revoke-old", "--yes").EnumerateArray().Single();
            renewal.GetProperty("predecessorRevoked").GetBoolean().Should().BeTrue();
            var predecessor = Show(old);
            predecessor.GetProperty("status").GetString().Should().Be("revoked");
            predecessor.GetProperty("revocationReason").GetString().Should().Be("superseded");
            Show(renewal.GetProperty("serialNumber").GetString()!).GetProperty("status").GetString().Should().Be("valid");

            var crl = _home.File("ca.crl");
            Cli("crl", "show", "--connector", "ca", "--publish", "--out", crl).Exit.Should().Be(0);
            OpenSsl.Ok($"crl -in {crl} -inform DER -noout -text").Should().Contain(old).And.Contain("Superseded");
        }

        [Fact]
        public void Bulk_renewal_reports_the_one_failure_and_renews_the_others()
        {
            var first = Enroll("WebServer", "a.contoso.com");
            var revoked = Enroll("WebServer", "b.contoso.com");
            var third = Enroll("Machine", "c.contoso.com");
            Cli("revoke", revoked, "--reason", "key-compromise", "--yes").Exit.Should().Be(0);

            var run = Cli("renew", first, revoked, third, "--json");
            run.Exit.Should().Be(1, "one certificate failed");
            run.Err.Should().Contain("[CertificateRevoked]").And.Contain(revoked);
            var renewed = JsonDocument.Parse(run.Out).RootElement.EnumerateArray().ToList();
            renewed.Select(r => r.GetProperty("renewsSerialNumber").GetString()).Should().Equal(first, third);
            var thirdSuccessor = renewed[1].GetProperty("serialNumber").GetString()!;

            // --due: three Machine certificates are due; one of them cannot keep its key, the other two are renewed.
            var csr = _home.File("outside.csr");
            OpenSsl.Ok($"req -new -newkey rsa:2048 -nodes -keyout {_home.File("outside.key")} -subj /CN=d.contoso.com -out {csr}");
            var outside = Fetch(Submit("Machine", csr));
            var fifth = Enroll("Machine", "e.contoso.com");
            Cli("connector", "set", "ca", "--setting", "renewBeforeDays:Machine=400").Exit.Should().Be(0);
            DueSerials().Should().BeEquivalentTo(new[] { thirdSuccessor, outside, fifth });

            var due = Cli("renew", "--due", "--reuse-key", "--json");
            due.Exit.Should().Be(1);
            due.Err.Should().Contain("[KeyNotHeld]");
            JsonDocument.Parse(due.Out).RootElement.EnumerateArray().Select(r => r.GetProperty("renewsSerialNumber").GetString())
                .Should().BeEquivalentTo(new[] { thirdSuccessor, fifth });
            var stillDue = DueSerials();
            stillDue.Should().Contain(outside).And.NotContain(thirdSuccessor).And.NotContain(fifth);
        }

        [Fact]
        public void The_successor_replaces_the_old_one_in_the_files_it_was_exported_to_keeping_their_mode_then_the_post_command_runs()
        {
            var old = Enroll("WebServer", "files.contoso.com", "--exportable");
            Environment.SetEnvironmentVariable("PSC_TEST_DEPLOY_PASSWORD", "Str0ng!deploy");
            var pfx = _home.File("files.pfx");
            var pem = _home.File("files.pem");
            Cli("cert", "export", old, "--format", "pfx", "--chain", "--out", pfx, "--password-env", "PSC_TEST_DEPLOY_PASSWORD").Exit.Should().Be(0);
            Cli("cert", "export", old, "--format", "pem", "--out", pem).Exit.Should().Be(0);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pfx, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead); // a service's group reads it
            string Serial(string file, string extra = "") => OpenSsl.Ok($"x509 -in {file} -noout -serial {extra}").Trim().Split('=')[1];
            string PfxSerial() => OpenSsl.Ok($"pkcs12 -in {pfx} -passin env:PSC_TEST_DEPLOY_PASSWORD -nokeys -clcerts").Split("-----BEGIN CERTIFICATE-----")[1] is var body
                ? Serial(WriteText("leaf.pem", "-----BEGIN CERTIFICATE-----" + body.Split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n")) : "";

            var whatIf = Cli("renew", old, "--pfx-password-env", "PSC_TEST_DEPLOY_PASSWORD", "--what-if");
            whatIf.Exit.Should().Be(0);
            PfxSerial().Should().Be(old);

            var marker = _home.File("reloaded.txt");
            var renewal = Json("renew", old, "--pfx-password-env", "PSC_TEST_DEPLOY_PASSWORD",
                "--post-command", $"echo \"$PSC_RENEWED_SERIAL $PSC_RENEWED_OLD_THUMBPRINT\" > '{marker}'").EnumerateArray().Single();

            var successor = renewal.GetProperty("serialNumber").GetString()!;
            renewal.GetProperty("deployedTo").EnumerateArray().Select(d => d.GetString()).Should().BeEquivalentTo(new[] { pfx, pem });
            PfxSerial().Should().Be(successor);
            OpenSsl.Ok($"pkcs12 -in {pfx} -passin env:PSC_TEST_DEPLOY_PASSWORD -nodes").Should().Contain("BEGIN PRIVATE KEY", "the new key goes with it");
            Serial(pem).Should().Be(successor);
            if (!OperatingSystem.IsWindows())
                File.GetUnixFileMode(pfx).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "the replaced file keeps its mode");
            File.ReadAllText(marker).Trim().Should().Be(successor + " " + Show(old).GetProperty("thumbprint").GetString());

            // The successor remembers where it went: its own renewal goes there too, and without the PFX password that file is an error.
            var next = Cli("renew", successor, "--json");
            next.Exit.Should().Be(1);
            next.Err.Should().Contain("[DeploymentPasswordRequired]").And.Contain(pfx);
            var third = JsonDocument.Parse(next.Out).RootElement.EnumerateArray().Single();
            third.GetProperty("deployedTo").EnumerateArray().Select(d => d.GetString()).Should().Equal(pem);
            Serial(pem).Should().Be(third.GetProperty("serialNumber").GetString());
            PfxSerial().Should().Be(successor, "the PFX is left as it was");

            var failing = Cli("renew", third.GetProperty("serialNumber").GetString()!, "--post-command", "exit 3");
            failing.Exit.Should().Be(1);
            failing.Err.Should().Contain("[PostRenewalCommandFailed]").And.Contain("code 3");
        }

        private string WriteText(string name, string text)
        {
            var path = _home.File(name);
            File.WriteAllText(path, text);
            return path;
        }

        private string Approved(string csr)
        {
            var first = Json("submit", "--connector", "ca", "--template", "WebServerApproval", "--csr", csr).GetProperty("id").GetInt64();
            Cli("order", "approve", first.ToString(), "--yes").Exit.Should().Be(0);
            return Fetch(first);
        }

        [Fact]
        public void A_renewal_signed_with_the_kept_old_key_is_issued_without_approval_again()
        {
            var csr = _home.File("signed.csr");
            Cli("request", "new", "--subject", "CN=signed.contoso.com", "--out", csr).Exit.Should().Be(0);
            var old = Approved(csr);

            var renewal = Json("renew", old).EnumerateArray().Single();

            renewal.GetProperty("signedWithOldKey").GetBoolean().Should().BeTrue();
            renewal.GetProperty("status").GetString().Should().Be("issued", "a valid certificate of WebServerApproval vouches for its renewal");
            renewal.GetProperty("template").GetString().Should().Be("WebServerApproval");
        }

        [Fact]
        public void A_pending_renewal_is_an_order_linked_to_its_predecessor_and_links_the_successor_when_fetched()
        {
            // A key made elsewhere cannot sign the renewal: a plain request to the approval template waits.
            var csr = _home.File("approval.csr");
            OpenSsl.Ok($"req -new -newkey rsa:2048 -nodes -keyout {_home.File("approval.key")} -subj /CN=app.contoso.com -out {csr}");
            var old = Approved(csr);
            Cli("connector", "set", "ca", "--setting", "renewBeforeDays=800").Exit.Should().Be(0);
            DueSerials().Should().Equal(old);

            var renewal = Json("renew", old).EnumerateArray().Single();
            renewal.GetProperty("signedWithOldKey").GetBoolean().Should().BeFalse();
            renewal.GetProperty("status").GetString().Should().Be("pending");
            renewal.GetProperty("serialNumber").ValueKind.Should().Be(JsonValueKind.Null);
            var order = renewal.GetProperty("orderId").GetInt64().ToString();
            DueSerials().Should().BeEmpty("a certificate with a renewal in progress is not due again");
            var twice = Cli("renew", old);
            twice.Exit.Should().Be(1);
            twice.Err.Should().Contain("[RenewalPending]").And.Contain($"order {order}");

            Cli("order", "approve", order, "--yes").Exit.Should().Be(0);
            var successor = Fetch(long.Parse(order));
            Show(old).GetProperty("renewedBy").GetString().Should().Be(Show(successor).GetProperty("thumbprint").GetString());
            Show(successor).GetProperty("renews").GetString().Should().Be(Show(old).GetProperty("thumbprint").GetString());
        }
    }
}
