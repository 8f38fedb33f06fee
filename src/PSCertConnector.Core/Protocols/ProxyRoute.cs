using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>
    /// Which proxy an HTTPS connector goes through: the system's (the https_proxy / all_proxy and no_proxy environment
    /// variables, and on Windows the Windows proxy setting when none is set), none, or one named by the connector's
    /// 'proxy' setting; with the connector's bypass list and proxy credential. Decided here once, so that the request
    /// and 'connector test' agree on the route.
    /// </summary>
    public sealed class ProxyRoute
    {
        public const string ProxySetting = "proxy";
        public const string BypassSetting = "proxyBypass";

        private enum Kind { Direct, Address, WindowsSetting }

        private readonly Kind _kind;
        private readonly IReadOnlyList<string> _bypass;

        private ProxyRoute(Kind kind, Uri? address, string source, IReadOnlyList<string> bypass, NetworkCredential? credential)
        {
            _kind = kind;
            Address = address;
            Source = source;
            _bypass = bypass;
            Credential = credential;
        }

        /// <summary>The proxy's address; null when the route is direct or the Windows setting decides.</summary>
        public Uri? Address { get; }
        /// <summary>Where the choice came from: "the connector's proxy setting", "https_proxy", ...</summary>
        public string Source { get; }
        public NetworkCredential? Credential { get; }

        public static readonly ProxyRoute Direct = new ProxyRoute(Kind.Direct, null, "no proxy configured", Array.Empty<string>(), null);

        /// <summary>
        /// The route for a connector's settings. <paramref name="setting"/> is 'system' (or empty: the default), 'none', or
        /// the proxy's URL; <paramref name="environment"/> reads a variable (the process environment outside tests).
        /// </summary>
        public static ProxyRoute Resolve(string? setting, string? bypass, NetworkCredential? credential, Func<string, string?> environment)
        {
            var ownBypass = SplitList(bypass);
            var value = setting?.Trim() ?? "";
            if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
                return new ProxyRoute(Kind.Direct, null, $"the connector's {ProxySetting} setting is 'none'", Array.Empty<string>(), null);
            if (value.Length > 0 && !value.Equals("system", StringComparison.OrdinalIgnoreCase))
                return new ProxyRoute(Kind.Address, ParseAddress(value, ProxySetting), $"the connector's {ProxySetting} setting", ownBypass, credential);

            foreach (var name in new[] { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" })
            {
                var found = environment(name);
                if (string.IsNullOrWhiteSpace(found)) continue;
                var address = ParseAddress(found!.Trim(), "environment variable " + name, assumeHttp: true, allowAccount: true);
                // http://user:password@proxy:3128 in the variable, as curl and most Linux tools take it: the account is used
                // (unless the connector has its own) and never shown; the address is kept without it.
                if (address.UserInfo.Length > 0)
                {
                    var parts = address.UserInfo.Split(new[] { ':' }, 2);
                    credential ??= new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
                    address = new UriBuilder(address) { UserName = "", Password = "" }.Uri;
                }
                var noProxy = environment("no_proxy") ?? environment("NO_PROXY");
                return new ProxyRoute(Kind.Address, address, "the environment variable " + name, ownBypass.Concat(SplitList(noProxy)).ToList(), credential);
            }
            return RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                ? new ProxyRoute(Kind.WindowsSetting, null, "the Windows proxy setting", ownBypass, credential)
                : new ProxyRoute(Kind.Direct, null, "no proxy configured (no https_proxy or all_proxy variable)", Array.Empty<string>(), null);
        }

        /// <summary>Refuses a 'proxy' or 'proxyBypass' value that could not be used, naming it.</summary>
        public static void Validate(string? setting, string? bypass)
        {
            var value = setting?.Trim() ?? "";
            if (value.Length > 0 && !value.Equals("system", StringComparison.OrdinalIgnoreCase) && !value.Equals("none", StringComparison.OrdinalIgnoreCase))
                ParseAddress(value, ProxySetting);
            foreach (var entry in SplitList(bypass))
                if (entry.IndexOfAny(new[] { ' ', '/', '\\', '@' }) >= 0 && !IsNetwork(entry))
                    throw new PscException("InvalidSetting", FailureCategory.InvalidArgument,
                        $"The setting {BypassSetting} has the entry '{entry}', which is not valid: expected host names, domains (.contoso.com or *.contoso.com), IP addresses or networks (10.0.0.0/8), or <local>, separated by commas.") { Target = BypassSetting };
        }

        /// <summary>The proxy a request to <paramref name="target"/> goes through, or null when it goes direct.</summary>
        public Uri? ProxyFor(Uri target)
        {
            switch (_kind)
            {
                case Kind.Address:
                    return Bypassed(target) ? null : Address;
                case Kind.WindowsSetting:
                    if (Bypassed(target)) return null;
                    var system = WindowsProxyFor(target);
                    return system == null || system == target ? null : system;
                default:
                    return null;
            }
        }

        /// <summary>How a request to <paramref name="target"/> travels, for 'connector test' and error messages.</summary>
        public string Describe(Uri target)
        {
            var proxy = ProxyFor(target);
            if (proxy != null)
                return $"through {proxy.GetLeftPart(UriPartial.Authority)} (from {Source}{(Credential != null ? $", as {Credential.UserName}" : "")})";
            if (_kind == Kind.Direct) return $"direct ({Source})";
            return Bypassed(target) ? $"direct ({target.Host} is on the bypass list of {Source})" : $"direct ({Source} sends {target.Host} direct, or names no proxy)";
        }

        /// <summary>Sets the handler to take this route.</summary>
        internal void Apply(HttpClientHandler handler)
        {
            switch (_kind)
            {
                case Kind.Direct:
                    handler.UseProxy = false;
                    break;
                case Kind.Address:
                    handler.UseProxy = true;
                    handler.Proxy = new ChosenProxy(this);
                    break;
                default:
                    // The platform's own default proxy is the Windows setting (WinINet, or WinHTTP for a service); with no
                    // credential given, the proxy gets the logged-on account's, as a browser on that machine does.
                    handler.UseProxy = true;
                    handler.DefaultProxyCredentials = (ICredentials?)Credential ?? CredentialCache.DefaultCredentials;
                    if (_bypass.Count > 0) handler.Proxy = new ChosenProxy(this);
                    break;
            }
        }

        // Read once per process: asking for it again may mean another WPAD lookup.
        private static IWebProxy? _windowsProxy;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static Uri? WindowsProxyFor(Uri target)
        {
#pragma warning disable SYSLIB0014 // the system proxy setting is only reachable through WebRequest on .NET Framework
            _windowsProxy ??= WebRequest.GetSystemWebProxy();
#pragma warning restore SYSLIB0014
            return _windowsProxy.GetProxy(target);
        }

        /// <summary>The route as the HTTP stack asks for it, per request.</summary>
        private sealed class ChosenProxy : IWebProxy
        {
            private readonly ProxyRoute _route;
            public ChosenProxy(ProxyRoute route) => _route = route;
            public ICredentials? Credentials { get => _route.Credential; set { } }
            public Uri GetProxy(Uri destination) => _route.ProxyFor(destination) ?? destination;
            public bool IsBypassed(Uri host) => _route.ProxyFor(host) == null;
        }

        private bool Bypassed(Uri target)
        {
            var host = target.IdnHost.TrimEnd('.').ToLowerInvariant();
            foreach (var raw in _bypass)
            {
                var entry = raw.ToLowerInvariant();
                if (entry == "*") return true;
                if (entry == "<local>") { if (host.IndexOf('.') < 0 || target.IsLoopback) return true; continue; }
                if (IsNetwork(entry)) { if (InNetwork(host, entry)) return true; continue; }
                entry = StripPort(entry);
                // Windows' own form (10.*, *contoso.com, 192.168.?.1): a wildcard over the whole host name.
                if (entry.IndexOfAny(new[] { '*', '?' }) >= 0 && !(entry.StartsWith("*.", StringComparison.Ordinal) && entry.IndexOfAny(new[] { '*', '?' }, 1) < 0))
                {
                    if (Wildcard.ToRegex(entry).IsMatch(host)) return true;
                    continue;
                }
                if (entry.StartsWith("*.", StringComparison.Ordinal)) entry = entry.Substring(2);
                else if (entry.StartsWith(".", StringComparison.Ordinal)) entry = entry.Substring(1);
                if (entry.Length > 0 && (host == entry || host.EndsWith("." + entry, StringComparison.Ordinal))) return true;
            }
            return false;
        }

        private static string StripPort(string entry)
        {
            int colon = entry.LastIndexOf(':');
            return colon > 0 && entry.IndexOf(':') == colon && int.TryParse(entry.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _) ? entry.Substring(0, colon) : entry;
        }

        private static bool IsNetwork(string entry)
        {
            var slash = entry.IndexOf('/');
            return slash > 0 && IPAddress.TryParse(entry.Substring(0, slash), out var prefix) && int.TryParse(entry.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
                && bits <= prefix.GetAddressBytes().Length * 8;
        }

        private static bool InNetwork(string host, string network)
        {
            if (!IPAddress.TryParse(host.Trim('[', ']'), out var address)) return false;
            var slash = network.IndexOf('/');
            var prefix = IPAddress.Parse(network.Substring(0, slash)).GetAddressBytes();
            int bits = int.Parse(network.Substring(slash + 1), CultureInfo.InvariantCulture);
            var bytes = address.GetAddressBytes();
            if (bytes.Length != prefix.Length || bits > bytes.Length * 8) return false;
            for (int i = 0; i < bits; i++)
                if (((bytes[i / 8] ^ prefix[i / 8]) & (0x80 >> (i % 8))) != 0) return false;
            return true;
        }

        private static IReadOnlyList<string> SplitList(string? list) =>
            (list ?? "").Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).Where(e => e.Length > 0).ToList();

        private static Uri ParseAddress(string value, string what, bool assumeHttp = false, bool allowAccount = false)
        {
            if (assumeHttp && value.IndexOf("://", StringComparison.Ordinal) < 0) value = "http://" + value;
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "socks4" or "socks4a" or "socks5")
                || uri.Host.Length == 0 || (uri.AbsolutePath != "/" && uri.AbsolutePath.Length > 0) || uri.Query.Length > 0)
                throw new PscException("InvalidSetting", FailureCategory.InvalidArgument,
                    $"The {what} '{(value.IndexOf('@') >= 0 ? "(not shown: it holds an account)" : DisplayText.Escape(value))}' is not a proxy address: expected http://host:port (or https://, socks5://), 'system' or 'none'.") { Target = what };
            if (uri.UserInfo.Length > 0 && !allowAccount)
                throw new PscException("InvalidSetting", FailureCategory.InvalidArgument,
                    $"The {what} holds a user name or password: give the proxy's account as the connector's proxy credential " +
                    $"({UserText.Command("connector set NAME --proxy-user USER --proxy-secret-file FILE", "Set-CaConnector NAME -ProxyCredential (Get-Credential)")}), never in the address, which lists and exports show.") { Target = what };
            return uri;
        }
    }
}
