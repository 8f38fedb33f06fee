using System;
using System.Collections.Generic;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>How to reach one HTTPS service: trust, client identity, timeout and response limit.</summary>
    public sealed record HttpServiceOptions
    {
        /// <summary>Connector name, used in messages.</summary>
        public string Connector { get; init; } = "";
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
        /// <summary>PEM file of CA certificates that may anchor the server's chain, in addition to the platform's.</summary>
        public IReadOnlyList<X509Certificate2> TrustedCas { get; init; } = Array.Empty<X509Certificate2>();
        /// <summary>SHA-1 or SHA-256 thumbprint (hex) of the server certificate to accept whatever its chain.</summary>
        public string? PinnedThumbprint { get; init; }
        public X509Certificate2? ClientCertificate { get; init; }
        /// <summary>Credentials for HTTP Negotiate/NTLM only (never Basic); null with UseDefaultCredentials uses the logged-on identity (SSPI/GSSAPI ticket cache).</summary>
        public NetworkCredential? NegotiateCredentials { get; init; }
        /// <summary>Where Negotiate credentials may be used: the service's scheme, host and port.</summary>
        public Uri? ServiceBase { get; init; }
        public bool UseDefaultCredentials { get; init; }
        public long MaxResponseBytes { get; init; } = 16L * 1024 * 1024;
        /// <summary>
        /// Also send over plain HTTP. Only SCEP sets it: its messages are signed and encrypted end to end, it sends no
        /// account, and its CA is pinned by fingerprint when the transport is not TLS.
        /// </summary>
        public bool AllowPlainHttp { get; init; }
        /// <summary>The proxy to go through (the system's unless the connector says otherwise).</summary>
        public ProxyRoute Proxy { get; init; } = ProxyRoute.Direct;
    }
}
