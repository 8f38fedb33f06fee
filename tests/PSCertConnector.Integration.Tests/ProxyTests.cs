using System.Diagnostics;
using System.Text;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// HTTPS connectors through a real forwarding proxy (Debian's tinyproxy on loopback, HTTPS by CONNECT): the
    /// connector's own proxy, the system's from the environment, the bypass list, a proxy that requires Basic
    /// authentication, and a proxy that is down. The proxy's log shows which tunnels it really opened.
    /// </summary>
    [Collection("cli")]
    public sealed class ProxyTests : IClassFixture<LabFixture>, IDisposable
    {
        private const string ProxyUser = "proxyuser";
        private const string ProxyPassword = "Pr0xy-Pa55w0rd"; // tinyproxy's configuration takes letters, digits and dashes here
        private readonly LabFixture _lab;
        private readonly TempHome _home = new();
        private readonly Workspace _workspace;

        public ProxyTests(LabFixture lab)
        {
            _lab = lab;
            _workspace = Workspace.Open(_home.Path, lab.Registry);
        }

        public void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        private string LabAddress => $"localhost:{_lab.Server.BaseUri.Port}";

        private ConnectorDefinition Ces(string name, params (string, string)[] settings) =>
            LabFixture.AddConnector(_workspace, name, "adcs-ces", _lab.Settings(_lab.Server, settings.Prepend(("caName", _lab.Authority.CaName)).ToArray()), LabFixture.Secret());

        private ConnectorTestReport Test(string name)
        {
            var sink = new RecordingSink();
            new ConnectorOperations(_workspace, sink).Test(new[] { name });
            sink.Errors.Should().BeEmpty();
            return sink.Single<ConnectorTestReport>();
        }

        [Fact]
        public void A_connector_with_its_own_proxy_enrolls_through_it_and_its_test_says_so()
        {
            using var proxy = new TinyProxy(_home.Path);
            Ces("ces", ("proxy", proxy.Url));

            var report = Test("ces");
            report.Success.Should().BeTrue(report.Message);
            report.Route.Should().Be($"through {proxy.Url} (from the connector's proxy setting)");

            var sink = new RecordingSink();
            var order = new OrderOperations(_workspace, sink).Submit("ces", "WebServer", LabFixture.NewCsr("via-proxy.contoso.com"));
            sink.Errors.Should().BeEmpty();
            order!.Status.Should().Be(SubmitStatus.Issued);
            var pem = _home.File("via-proxy.pem");
            File.WriteAllText(pem, Pem.Encode("CERTIFICATE", order.Certificate!));
            OpenSsl.Ok($"verify -CAfile \"{_lab.Authority.BundlePath}\" \"{pem}\"");
            proxy.Tunnels.Should().NotBeEmpty().And.OnlyContain(t => t == LabAddress, "every request went through the proxy's tunnel to the Lab");
        }

        [Fact]
        public void A_host_on_the_bypass_list_is_reached_directly_and_none_means_no_proxy()
        {
            using var proxy = new TinyProxy(_home.Path);
            Ces("bypassed", ("proxy", proxy.Url), ("proxyBypass", "*.example.org, localhost"));
            var report = Test("bypassed");
            report.Success.Should().BeTrue(report.Message);
            report.Route.Should().Be("direct (localhost is on the bypass list of the connector's proxy setting)");

            Ces("none", ("proxy", "none"));
            Test("none").Route.Should().Be("direct (the connector's proxy setting is 'none')");
            proxy.Tunnels.Should().BeEmpty();
        }

        [Fact]
        public void A_proxy_that_requires_authentication_gets_the_stored_proxy_account_which_is_never_shown()
        {
            using var proxy = new TinyProxy(_home.Path, (ProxyUser, ProxyPassword));
            Ces("ces", ("proxy", proxy.Url));

            var refused = Test("ces");
            refused.Success.Should().BeFalse();
            refused.Message.Should().Contain("asked for credentials (407)").And.Contain("has none").And.Contain("--proxy-user");

            var wrong = new RecordingSink();
            new ConnectorOperations(_workspace, wrong).Update("ces", new ConnectorChanges { ProxySecret = Encoding.UTF8.GetBytes(ProxyUser + "\nnot-it") }, null);
            wrong.Errors.Should().BeEmpty();
            Test("ces").Message.Should().Contain($"refused the account {ProxyUser}");

            var set = new RecordingSink();
            new ConnectorOperations(_workspace, set).Update("ces", new ConnectorChanges { ProxySecret = Encoding.UTF8.GetBytes(ProxyUser + "\n" + ProxyPassword) }, null);
            var stored = set.Single<ConnectorDefinition>();
            stored.HasProxyCredential.Should().BeTrue();
            var report = Test("ces");
            report.Success.Should().BeTrue(report.Message);
            report.Route.Should().Be($"through {proxy.Url} (from the connector's proxy setting, as {ProxyUser})");
            proxy.Tunnels.Should().Contain(LabAddress);

            // A proxy account can be forgotten, and then the proxy refuses again.
            using (var scratch = new TempHome())
            {
                var copy = Workspace.Open(scratch.Path, _lab.Registry);
                LabFixture.AddConnector(copy, "ces", "adcs-ces", _lab.Settings(_lab.Server, ("caName", _lab.Authority.CaName), ("proxy", proxy.Url)), LabFixture.Secret());
                new ConnectorOperations(copy, new RecordingSink()).Update("ces", new ConnectorChanges { ProxySecret = Encoding.UTF8.GetBytes(ProxyUser + "\n" + ProxyPassword) }, null);
                var cleared = new RecordingSink();
                new ConnectorOperations(copy, cleared).Update("ces", new ConnectorChanges { ClearProxySecret = true }, null);
                cleared.Single<ConnectorDefinition>().HasProxyCredential.Should().BeFalse();
                var again = new RecordingSink();
                new ConnectorOperations(copy, again).Test(new[] { "ces" });
                again.Single<ConnectorTestReport>().Message.Should().Contain("has none");
                copy.Dispose();
            }

            // The proxy's password is stored protected: not in the database file, the listing or an exported configuration.
            var listing = InProcessCli.Run(_home.Path, "connector", "show", "ces", "--json").Out;
            listing.Should().NotContain(ProxyPassword);
            File.ReadAllBytes(Path.Combine(_home.Path, "inventory.db")).AsSpan().IndexOf(Encoding.UTF8.GetBytes(ProxyPassword)).Should().Be(-1);
            var json = ConfigurationOperations.ToJson(new ConfigurationOperations(_workspace, new RecordingSink()).Export());
            json.Should().NotContain(ProxyPassword).And.Contain($"\"proxyUser\": \"{ProxyUser}\"").And.Contain("PSC_PROXY_SECRET_CES");

            // The configuration carries the proxy account to another host, its password given there by name.
            using var otherHome = new TempHome();
            using var other = Workspace.Open(otherHome.Path, _lab.Registry);
            var imported = new RecordingSink();
            new ConfigurationOperations(other, imported).Import(ConfigurationOperations.Parse(json, "the exported configuration"),
                new Dictionary<string, string> { ["ces"] = LabFixture.Password, ["ces:proxy"] = ProxyPassword });
            imported.Errors.Should().BeEmpty(string.Join("; ", imported.Errors.Select(e => e.Message)));
            var there = new RecordingSink();
            new ConnectorOperations(other, there).Test(new[] { "ces" });
            there.Single<ConnectorTestReport>().Success.Should().BeTrue(there.Single<ConnectorTestReport>().Message);
        }

        [Fact]
        public void A_proxy_that_is_down_fails_the_test_naming_the_proxy_and_an_account_in_the_address_is_refused()
        {
            var down = $"http://127.0.0.1:{Loopback.FreePort()}";
            Ces("ces", ("proxy", down));
            var report = Test("ces");
            report.Success.Should().BeFalse();
            report.Message.Should().Contain($"could not be reached through {down} (from the connector's proxy setting)");

            var sink = new RecordingSink();
            new ConnectorOperations(_workspace, sink).Add(new ConnectorDefinition
            {
                Name = "leaky", Type = "adcs-ces", Settings = _lab.Settings(_lab.Server, ("proxy", "http://bob:hunter2@proxy.contoso.com:8080")),
            }, LabFixture.Secret());
            sink.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("InvalidSetting");
            sink.Errors[0].Message.Should().Contain("proxy credential").And.NotContain("hunter2");

            var local = new RecordingSink();
            new ConnectorOperations(_workspace, local).Add(new ConnectorDefinition { Name = "embedded", Type = "local" }, null, proxySecret: Encoding.UTF8.GetBytes("u\np"));
            local.Errors.Should().ContainSingle().Which.ErrorId.Should().Be("ProxyNotUsed");
        }

        [Fact]
        public void The_cli_takes_the_system_proxy_from_https_proxy_and_leaves_no_proxy_hosts_alone()
        {
            using var proxy = new TinyProxy(_home.Path, (ProxyUser, ProxyPassword));
            var secret = _home.File("lab.pw");
            File.WriteAllText(secret, LabFixture.Password);
            var proxyPassword = _home.File("proxy.pw");
            File.WriteAllText(proxyPassword, ProxyPassword);
            var add = InProcessCli.Run(_home.Path, "connector", "add", "--name", "sys", "--type", "adcs-ces", "--setting", $"host=localhost", "--setting", $"port={_lab.Server.BaseUri.Port}",
                "--setting", $"user={LabFixture.User}", "--setting", $"caBundle={_lab.Authority.BundlePath}", "--setting", $"caName={_lab.Authority.CaName}",
                "--secret-file", secret, "--proxy-user", ProxyUser, "--proxy-secret-file", proxyPassword);
            add.Exit.Should().Be(0, add.Err);

            var viaProxy = TestInProcess(("https_proxy", $"127.0.0.1:{proxy.Port}"), ("no_proxy", "intranet.contoso.com"));
            viaProxy.Exit.Should().Be(0, viaProxy.Output);
            viaProxy.Output.Should().Contain($"\"route\": \"through {proxy.Url} (from the environment variable https_proxy, as {ProxyUser})\"").And.Contain("\"success\": true");
            proxy.Tunnels.Should().Contain(LabAddress);

            int tunnels = proxy.Tunnels.Count;
            var bypassed = TestInProcess(("https_proxy", proxy.Url), ("no_proxy", ".contoso.com,localhost"));
            bypassed.Output.Should().Contain("\"route\": \"direct (localhost is on the bypass list of the environment variable https_proxy)\"").And.Contain("\"success\": true");
            proxy.Tunnels.Count.Should().Be(tunnels, "no_proxy sent it direct");

            var none = TestInProcess();
            none.Output.Should().Contain("\"route\": \"direct (no proxy configured (no https_proxy or all_proxy variable))\"");
        }

        /// <summary>'connector test --json' as its own process with exactly these proxy variables.</summary>
        private (int Exit, string Output) TestInProcess(params (string Name, string Value)[] environment)
        {
            var start = new ProcessStartInfo("dotnet");
            foreach (var arg in new[] { MaintenanceScheduleTests.CliAssembly, "connector", "test", "sys", "--json", "--home", _home.Path }) start.ArgumentList.Add(arg);
            foreach (var name in new[] { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY", "http_proxy", "HTTP_PROXY" }) start.Environment.Remove(name);
            foreach (var (name, value) in environment) start.Environment[name] = value;
            return ProcessRunner.Run(start, TimeSpan.FromSeconds(90));
        }
    }
}
