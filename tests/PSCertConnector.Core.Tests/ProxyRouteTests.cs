using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Protocols;
using Xunit;

namespace PSCertConnector.Tests
{
    /// <summary>Which proxy a request takes: the connector's setting, the environment's variables, and the bypass entries people write.</summary>
    public sealed class ProxyRouteTests
    {
        private static readonly Func<string, string?> NoEnvironment = _ => null;

        private static Uri? Via(ProxyRoute route, string url) => route.ProxyFor(new Uri(url));

        [Theory]
        [InlineData("https://ca01.contoso.com/", true)]
        [InlineData("https://contoso.com/", true)]
        [InlineData("https://ca01.fabrikam.com/", false)]
        [InlineData("https://10.1.2.3/", true)]
        [InlineData("https://10.200.0.1/", false)]
        [InlineData("https://ca01/", true)]
        [InlineData("https://www.digicert.com/", false)]
        public void Bypass_entries_match_domains_networks_and_local_names(string target, bool direct)
        {
            var route = ProxyRoute.Resolve("http://proxy.contoso.com:8080", ".contoso.com, 10.1.0.0/16; <local>", null, NoEnvironment);
            (Via(route, target) == null).Should().Be(direct);
        }

        [Fact]
        public void The_environment_gives_the_system_proxy_with_no_proxy_and_a_bare_host_port_means_http()
        {
            var environment = new Dictionary<string, string> { ["HTTPS_PROXY"] = "proxy.contoso.com:3128", ["no_proxy"] = "*.internal.contoso.com" };
            var route = ProxyRoute.Resolve(null, null, null, name => environment.TryGetValue(name, out var v) ? v : null);
            Via(route, "https://www.digicert.com/")!.ToString().Should().Be("http://proxy.contoso.com:3128/");
            Via(route, "https://ca01.internal.contoso.com/").Should().BeNull();
            route.Describe(new Uri("https://www.digicert.com/")).Should().Be("through http://proxy.contoso.com:3128 (from the environment variable HTTPS_PROXY)");

            var all = ProxyRoute.Resolve("system", null, null, name => name == "all_proxy" ? "socks5://127.0.0.1:1080" : null);
            Via(all, "https://www.digicert.com/")!.Scheme.Should().Be("socks5");
        }

        [Fact]
        public void An_account_in_the_environment_variable_is_used_and_never_shown_and_windows_wildcards_bypass()
        {
            var route = ProxyRoute.Resolve(null, "10.*; *fabrikam.com", null, name => name == "https_proxy" ? "http://bob:p%40ss@proxy.contoso.com:3128" : null);
            route.Credential!.UserName.Should().Be("bob");
            route.Credential.Password.Should().Be("p@ss");
            var shown = route.Describe(new Uri("https://www.digicert.com/"));
            shown.Should().Be("through http://proxy.contoso.com:3128 (from the environment variable https_proxy, as bob)").And.NotContain("p@ss");
            Via(route, "https://10.20.30.40/").Should().BeNull();
            Via(route, "https://ca.fabrikam.com/").Should().BeNull();
            Via(route, "https://ca.contoso.com/").Should().NotBeNull();
        }

        [Theory]
        [InlineData("ftp://proxy:21", null)]
        [InlineData("http://proxy:8080/path", null)]
        [InlineData("http://proxy:8080", "10.0.0.0/99")]
        [InlineData("http://proxy:8080", "bad/entry")]
        public void Unusable_values_are_refused_naming_the_setting(string proxy, string? bypass)
        {
            var refused = FluentActions.Invoking(() => ProxyRoute.Validate(proxy, bypass)).Should().Throw<PscException>().Which;
            refused.ErrorId.Should().Be("InvalidSetting");
            refused.Message.Should().Contain(bypass == null ? "proxy" : "proxyBypass");
        }
    }
}
