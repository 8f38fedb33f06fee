using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>
    /// HTTPS to one service with the connector's trust settings. Certificate validation stays on: the platform's
    /// roots, plus the connector's CA bundle, or a pinned server certificate. Reads are bounded.
    /// </summary>
    public sealed class HttpService : IDisposable
    {
        private readonly HttpClient _client;
        private readonly HttpServiceOptions _options;
        // Why the server certificate was refused, per request (concurrent sends each keep their own), so that
        // the TLS exception, which does not say why, can be explained.
        private sealed class TrustVerdict { public string? Failure; }
        private readonly AsyncLocal<TrustVerdict?> _verdict = new();

        public HttpService(HttpServiceOptions options)
        {
            _options = options;
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) => Validate(certificate, errors),
                CheckCertificateRevocationList = false,
            };
            options.Proxy.Apply(handler);
            if (options.ClientCertificate != null)
            {
                handler.ClientCertificateOptions = ClientCertificateOption.Manual;
                handler.ClientCertificates.Add(options.ClientCertificate);
            }
            if (options.NegotiateCredentials != null && options.ServiceBase != null)
            {
                // Only the Negotiate family: a server that asks for Basic must not get the password in clear.
                var cache = new CredentialCache();
                cache.Add(options.ServiceBase, "Negotiate", options.NegotiateCredentials);
                cache.Add(options.ServiceBase, "NTLM", options.NegotiateCredentials);
                handler.Credentials = cache;
            }
            else if (options.UseDefaultCredentials) handler.UseDefaultCredentials = true;
            _client = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            _client.DefaultRequestHeaders.UserAgent.ParseAdd(CertsrvCodec.UserAgent);
        }

        /// <summary>How a request to <paramref name="target"/> travels: direct, or through which proxy.</summary>
        public string RouteTo(Uri target) => _options.Proxy.Describe(target);

        public HttpReply Send(HttpMethod method, Uri uri, HttpContent? content, CancellationToken cancellation, AuthenticationHeaderValue? authorization = null,
            IEnumerable<(string Name, string Value)>? extraHeaders = null) =>
            Exchange(method, uri, content, cancellation, static (reply, _) => reply, authorization, extraHeaders);

        /// <summary>
        /// Sends a request and reads its answer with <paramref name="read"/> inside the same timeout, so a body that is slow
        /// to parse ends as ServiceTimeout like a slow server does.
        /// </summary>
        public T Exchange<T>(HttpMethod method, Uri uri, HttpContent? content, CancellationToken cancellation, Func<HttpReply, CancellationToken, T> read,
            AuthenticationHeaderValue? authorization = null, IEnumerable<(string Name, string Value)>? extraHeaders = null)
        {
            if (uri.Scheme != Uri.UriSchemeHttps && !(_options.AllowPlainHttp && uri.Scheme == Uri.UriSchemeHttp))
                throw new PscException("InsecureEndpoint", FailureCategory.SecurityError,
                    $"Connector '{_options.Connector}' would send to '{uri}', which is not HTTPS. Credentials and requests are only sent over HTTPS.") { Target = uri.ToString() };
            using var timeout = new CancellationTokenSource(_options.Timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
            using var request = new HttpRequestMessage(method, uri) { Content = content };
            if (authorization != null) request.Headers.Authorization = authorization;
            foreach (var (name, value) in extraHeaders ?? Array.Empty<(string, string)>()) request.Headers.TryAddWithoutValidation(name, value);
            var verdict = new TrustVerdict();
            _verdict.Value = verdict;
            try
            {
                using var response = _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).GetAwaiter().GetResult();
                var body = ReadBounded(response, uri, linked.Token);
                var reply = new HttpReply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, uri)
                {
                    RetryAfter = response.Headers.TryGetValues("Retry-After", out var retry) ? retry.FirstOrDefault() : null,
                    // The platform's Negotiate handling writes its header onto the request: none means no ticket was offered.
                    AuthorizationSent = (response.RequestMessage ?? request).Headers.Authorization != null,
                };
                return read(reply, linked.Token);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex)
            {
                throw new ServiceUnavailableException("ServiceTimeout", FailureCategory.OperationTimeout,
                    $"{uri.Host} did not answer within {_options.Timeout.TotalSeconds:0} s ({uri}). If the service is just slow, raise the connector's timeoutSeconds setting " +
                    $"({UserText.Command($"connector set {_options.Connector} --setting timeoutSeconds={Math.Max(120, (int)_options.Timeout.TotalSeconds * 2)}", $"Set-CaConnector {_options.Connector} -Setting @{{ timeoutSeconds = '{Math.Max(120, (int)_options.Timeout.TotalSeconds * 2)}' }}")}).", ex) { Target = uri.ToString() };
            }
            catch (HttpRequestException ex)
            {
                if (verdict.Failure != null)
                    throw new PscException("ServerCertificateUntrusted", FailureCategory.SecurityError, verdict.Failure, ex) { Target = uri.ToString() };
                if (IsTlsFailure(ex))
                    throw new PscException("TlsChannelFailed", FailureCategory.SecurityError,
                        $"The TLS channel to {uri.Host}:{uri.Port} could not be set up ({Innermost(ex)}). {TlsFailureCauses()}", ex) { Target = uri.ToString() };
                if (_options.Proxy.ProxyFor(uri) is { } proxy)
                {
                    var how = _options.Proxy.Describe(uri);
                    var status = TunnelStatus(ex);
                    // 407 is the proxy's "who are you"; some proxies (tinyproxy) answer a wrong account with 401.
                    if (status is 407 or 401)
                        throw new PscException("ProxyAuthenticationRequired", FailureCategory.SecurityError,
                            $"The proxy {proxy.GetLeftPart(UriPartial.Authority)} asked for credentials ({status}) before it would connect to {uri.Host}:{uri.Port} " +
                            (_options.Proxy.Credential == null
                                ? $"and connector '{_options.Connector}' has none: give it the proxy's account ({UserText.Command($"connector set {_options.Connector} --proxy-user USER --proxy-secret-file FILE", $"Set-CaConnector {_options.Connector} -ProxyCredential (Get-Credential)")})."
                                : $"and refused the account {_options.Proxy.Credential.UserName}: check the connector's proxy credential."), ex) { Target = uri.ToString() };
                    if (status != null)
                        throw new ServiceUnavailableException("ProxyRefused", FailureCategory.ConnectionError,
                            $"The proxy {proxy.GetLeftPart(UriPartial.Authority)} would not connect to {uri.Host}:{uri.Port} (it answered {status}): it cannot reach the service, or does not allow it. " +
                            $"Put the host on the connector's {ProxyRoute.BypassSetting} list if it is to be reached directly.", ex) { Target = uri.ToString() };
                    throw new ServiceUnavailableException("ServiceUnreachable", FailureCategory.ConnectionError,
                        $"{uri.Host}:{uri.Port} could not be reached {how} ({Innermost(ex)}).", ex) { Target = uri.ToString() };
                }
                if (_options.ClientCertificate == null && EndedWithoutAnswer(ex))
                    throw new ServiceUnavailableException("ServiceUnreachable", FailureCategory.ConnectionError,
                        $"{uri.Host}:{uri.Port} closed the connection without answering. A server that requires a TLS client certificate does this when none is sent. " +
                        TlsFailureCauses(), ex) { Target = uri.ToString() };
                throw new ServiceUnavailableException("ServiceUnreachable", FailureCategory.ConnectionError,
                    $"{uri.Host}:{uri.Port} could not be reached ({Innermost(ex)}).", ex) { Target = uri.ToString() };
            }
            catch (IOException ex)
            {
                throw new ServiceUnavailableException("ServiceUnreachable", FailureCategory.ConnectionError,
                    $"The connection to {uri.Host}:{uri.Port} broke ({Innermost(ex)}).", ex) { Target = uri.ToString() };
            }
        }

        private byte[] ReadBounded(HttpResponseMessage response, Uri uri, CancellationToken cancellation)
        {
            var declared = response.Content.Headers.ContentLength;
            if (declared > _options.MaxResponseBytes) throw TooLarge(uri);
            using var stream = response.Content.ReadAsStreamAsync().GetAwaiter().GetResult();
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            while (true)
            {
                int read = stream.ReadAsync(chunk, 0, chunk.Length, cancellation).GetAwaiter().GetResult();
                if (read == 0) break;
                if (buffer.Length + read > _options.MaxResponseBytes) throw TooLarge(uri);
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }

        private PscException TooLarge(Uri uri) =>
            new PscException("ResponseTooLarge", FailureCategory.InvalidData,
                $"{uri.Host} sent more than {_options.MaxResponseBytes / 1024} KiB for {uri.AbsolutePath}; reading stopped there. " +
                "Raise the connector's maxResponseKiB setting if the service really answers with that much.") { Target = uri.ToString() };

        private bool Validate(X509Certificate2? certificate, SslPolicyErrors errors)
        {
            if (certificate == null)
            {
                Refuse("The server presented no certificate.");
                return false;
            }
            if (_options.PinnedThumbprint != null)
            {
                var pin = Hex.NormalizeThumbprint(_options.PinnedThumbprint);
                var sha1 = certificate.Thumbprint;
                using var hash = System.Security.Cryptography.SHA256.Create();
                var sha256 = Hex.Encode(hash.ComputeHash(certificate.RawData));
                if (string.Equals(pin, sha1, StringComparison.OrdinalIgnoreCase) || string.Equals(pin, sha256, StringComparison.OrdinalIgnoreCase)) return true;
                Refuse($"The server certificate '{certificate.Subject}' (SHA-1 {sha1}) is not the pinned one ({pin}). " +
                                $"If the server's certificate was renewed, update the connector's pinnedThumbprint setting.");
                return false;
            }
            if (errors == SslPolicyErrors.None) return true;
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                Refuse($"The server certificate '{certificate.Subject}' does not name the host the connector uses. Use the host name in the certificate.");
                return false;
            }
            if (errors == SslPolicyErrors.RemoteCertificateChainErrors && _options.TrustedCas.Count > 0 && ChainsToBundle(certificate))
                return true;
            Refuse($"The server certificate '{certificate.Subject}' (issued by '{certificate.Issuer}', SHA-1 {certificate.Thumbprint}) is not trusted. " +
                            "Trust its CA with the connector setting caBundle=<PEM file> (the Lab server prints its bundle path), " +
                            "or pin this certificate with pinnedThumbprint=" + certificate.Thumbprint + ".");
            return false;
        }

        private void Refuse(string why)
        {
            if (_verdict.Value != null) _verdict.Value.Failure = why;
        }

        /// <summary>True when the certificate chains, with no error but an unknown root, to a CA in the connector's bundle, for server authentication.</summary>
        private bool ChainsToBundle(X509Certificate2 certificate)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // private PKIs seldom publish reachable CRLs for TLS
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            foreach (var ca in _options.TrustedCas) chain.ChainPolicy.ExtraStore.Add(ca);
            chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")); // serverAuth
            if (!chain.Build(certificate)) return false;
            var anchored = chain.ChainElements.Cast<X509ChainElement>()
                .Any(element => _options.TrustedCas.Any(ca => ca.RawData.AsSpan().SequenceEqual(element.Certificate.RawData)));
            if (!anchored) return false;
            return chain.ChainStatus.All(s => s.Status is X509ChainStatusFlags.NoError or X509ChainStatusFlags.UntrustedRoot);
        }

        /// <summary>The three usual causes of a TLS channel failure, worded for this connector's settings.</summary>
        private string TlsFailureCauses() =>
            "The usual causes: " +
            (_options.ClientCertificate != null
                ? $"1) the server does not accept the client certificate '{_options.ClientCertificate.Subject}' (not the one it expects, expired, or its private key cannot be used); "
                : "1) the server requires a client certificate and none is configured (authentication=Certificate with clientCertificate or clientCertificateThumbprint); ") +
            "2) no TLS version in common: TLS 1.2 or later must be enabled on both sides (Windows PowerShell 5.1: enable strong cryptography for .NET Framework); " +
            "3) a proxy or firewall that inspects or blocks TLS in between.";

        /// <summary>
        /// The server accepted the connection and then hung up before any response: what Kestrel, IIS and nginx do
        /// after the handshake when they require a client certificate that was not sent.
        /// </summary>
        /// <summary>The status a proxy answered a tunnel (CONNECT) request with; null when it did not answer one.</summary>
        private static int? TunnelStatus(HttpRequestException ex)
        {
            // HttpRequestException.StatusCode exists from .NET 5 on; this assembly also runs on .NET Framework, which has none.
            if (ex.GetType().GetProperty("StatusCode")?.GetValue(ex) is HttpStatusCode code) return (int)code;
            var match = System.Text.RegularExpressions.Regex.Match(ex.Message, @"proxy tunnel request .* status code '(\d{3})'");
            return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        }

        private static bool EndedWithoutAnswer(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
                if (e.Message.IndexOf("ended prematurely", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            return false;
        }

        /// <summary>True when the handshake itself failed (not the network): an authentication error, or the peer closing during the handshake.</summary>
        private static bool IsTlsFailure(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
                if (e is System.Security.Authentication.AuthenticationException) return true;
            return false;
        }

        private static string Innermost(Exception ex)
        {
            while (ex.InnerException != null) ex = ex.InnerException;
            return ex.Message;
        }

        public void Dispose()
        {
            _client.Dispose();
            _options.ClientCertificate?.Dispose(); // the PFX's key, loaded for this service only
        }
    }
}
