using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PSCertConnector.Core;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// An AD CS–compatible test server over HTTPS on loopback: CEP and CES (UsernamePassword and Certificate
    /// endpoints), /certsrv (Basic or client certificate) and an admin endpoint to approve or deny pending
    /// requests, the DigiCert ONE mpki API (/mpki/api/v1, x-api-key or client certificate), all backed by the
    /// Lab's embedded CA. With LabOptions.Negotiate it also serves the Kerberos endpoints (HTTP Negotiate through GSSAPI).
    /// </summary>
    public sealed class LabServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly LabAuthority _authority;
        private readonly LabOptions _options;
        private readonly LabCertCentral _certCentral;
        private readonly LabScep _scep;
        private int _requests;

        private LabServer(WebApplication app, LabAuthority authority, LabOptions options, Uri baseUri)
        {
            _app = app;
            _authority = authority;
            _options = options;
            BaseUri = baseUri;
            _certCentral = new LabCertCentral(authority);
            _scep = new LabScep(authority, options);
        }

        public Uri BaseUri { get; }
        public LabAuthority Authority => _authority;
        public string CaBundlePath => _authority.BundlePath;
        /// <summary>Protocol requests answered so far (all endpoints).</summary>
        public int RequestCount => _requests;

        public Uri PolicyUri(AdcsAuthentication authentication) =>
            new Uri(BaseUri, "ADPolicyProvider_CEP_" + AdcsXml.EndpointSuffix(authentication) + "/service.svc/CEP");

        public Uri EnrollmentUri(AdcsAuthentication authentication) =>
            new Uri(BaseUri, Uri.EscapeDataString(_authority.CaName) + "_CES_" + AdcsXml.EndpointSuffix(authentication) + "/service.svc/CES");

        public Uri WebEnrollmentUri => new Uri(BaseUri, "certsrv/");
        /// <summary>NDES's SCEP endpoint (anonymous: the challenge password in the request authorizes it).</summary>
        public Uri ScepUri => new Uri(BaseUri, LabScep.ScepPath.TrimStart('/'));
        /// <summary>NDES's challenge password page (Basic, like /certsrv).</summary>
        public Uri ScepAdminUri => new Uri(BaseUri, LabScep.AdminPath.TrimStart('/') + "/");
        /// <summary>The NDES emulation's RA certificate (DER), issued by the Lab CA at start.</summary>
        public byte[] ScepRaCertificate => _scep.RaCertificate;
        /// <summary>Unused challenge passwords the NDES emulation keeps before its cache is full (NDES's default PasswordMax).</summary>
        public const int ScepPasswordMax = LabScep.PasswordMax;
        /// <summary>The CA request a SCEP transaction became (for a test acting as the CA manager); null when unknown.</summary>
        public long? ScepRequestOf(string transactionId) => _scep.RequestOf(transactionId);

        public static async Task<LabServer> StartAsync(LabAuthority authority, LabOptions options, CancellationToken cancellation = default)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
                kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(https =>
                {
                    https.ServerCertificate = authority.TlsCertificate;
                    // Ask for a client certificate, accept the handshake either way; endpoints decide.
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.AllowAnyClientCertificate();
                }));
            });
            var app = builder.Build();
            LabServer? server = null;
            app.Run(context => server!.Dispatch(context));
            await app.StartAsync(cancellation).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(address.Replace("127.0.0.1", "localhost")).Port;
            server = new LabServer(app, authority, options, new Uri($"https://localhost:{port}/"));
            return server;
        }

        private async Task Dispatch(HttpContext context)
        {
            Interlocked.Increment(ref _requests);
            var path = context.Request.Path.Value ?? "/";
            try
            {
                if (path.StartsWith("/lab/", StringComparison.OrdinalIgnoreCase))
                {
                    await Admin(context, path).ConfigureAwait(false);
                    return;
                }
                if (_options.ResponseDelay > TimeSpan.Zero)
                    await Task.Delay(_options.ResponseDelay, context.RequestAborted).ConfigureAwait(false);
                if (path.StartsWith(LabDigiCertOne.Prefix, StringComparison.Ordinal))
                {
                    await LabDigiCertOne.Handle(context, _authority, c => ApiKeyMatches(c) || ClientCertificateIdentity(c) != null).ConfigureAwait(false);
                    return;
                }
                if (path.StartsWith(LabCertCentral.Prefix, StringComparison.Ordinal))
                {
                    await _certCentral.Handle(context, DevKeyMatches).ConfigureAwait(false);
                    return;
                }
                if (path.Equals(LabScep.ScepPath, StringComparison.OrdinalIgnoreCase))
                {
                    await Scep(context).ConfigureAwait(false);
                    return;
                }
                if (path.TrimEnd('/').Equals(LabScep.AdminPath, StringComparison.OrdinalIgnoreCase))
                {
                    if (!await Authenticated(context).ConfigureAwait(false)) return;
                    var page = _scep.AdminPage();
                    context.Response.StatusCode = page.Status;
                    await Write(context, page.ContentType, page.Body).ConfigureAwait(false);
                    return;
                }
                if (path.StartsWith("/certsrv", StringComparison.OrdinalIgnoreCase))
                {
                    await WebEnrollment(context, path).ConfigureAwait(false);
                    return;
                }
                foreach (var auth in ServedAuthentications)
                {
                    if (path.Equals(PolicyUri(auth).AbsolutePath, StringComparison.OrdinalIgnoreCase)
                        || path.Equals(Uri.UnescapeDataString(PolicyUri(auth).AbsolutePath), StringComparison.OrdinalIgnoreCase))
                    {
                        await Soap(context, auth, AdcsXml.GetPoliciesAction, AdcsXml.GetPoliciesResponseAction,
                            _ => new LabEnrollmentService.Outcome(LabPolicyService.GetPoliciesResponse(_authority, EnrollmentUri, ServedAuthentications), false)).ConfigureAwait(false);
                        return;
                    }
                    if (path.Equals(Uri.UnescapeDataString(EnrollmentUri(auth).AbsolutePath), StringComparison.OrdinalIgnoreCase))
                    {
                        var service = EnrollmentUri(auth);
                        await Soap(context, auth, AdcsXml.EnrollAction, AdcsXml.EnrollResponseAction,
                            body => LabEnrollmentService.Handle(_authority, body, service)).ConfigureAwait(false);
                        return;
                    }
                }
                context.Response.StatusCode = 404;
                await Write(context, "text/plain", Encoding.UTF8.GetBytes("Not found: " + path)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client gave up (its timeout); nothing to answer.
            }
        }

        private async Task Soap(HttpContext context, AdcsAuthentication auth, string expectedAction, string responseAction,
            Func<XElement, LabEnrollmentService.Outcome> handle)
        {
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.StatusCode = 405;
                return;
            }
            // Transport identities (Kerberos, TLS client certificate) are settled before the body is read, so a caller
            // without one costs no parsing; a UsernameToken is in the SOAP header and needs the (bounded) parse first.
            string? identity = null;
            if (auth == AdcsAuthentication.Kerberos)
            {
                identity = await NegotiateIdentity(context).ConfigureAwait(false);
                if (identity == null) return; // answered with a 401 challenge
            }
            else if (auth == AdcsAuthentication.Certificate)
            {
                identity = ClientCertificateIdentity(context);
                if (identity == null)
                {
                    await SoapReply(context, InvalidSecurity(), responseAction, null).ConfigureAwait(false);
                    return;
                }
            }
            var body = await ReadBody(context).ConfigureAwait(false);
            XDocument request;
            try { request = SafeXml.Parse(body, "SOAP request", context.RequestAborted); }
            catch (PscException ex)
            {
                await SoapReply(context, LabEnrollmentService.Fault("s:Sender", null, ex.Message, null, null, true), responseAction, null).ConfigureAwait(false);
                return;
            }
            var header = request.Root?.Element(AdcsXml.Soap + "Header");
            var messageId = header?.Element(AdcsXml.Addressing + "MessageID")?.Value;
            var action = header?.Element(AdcsXml.Addressing + "Action")?.Value.Trim();
            if (action != expectedAction)
            {
                await SoapReply(context, LabEnrollmentService.Fault("s:Sender", "a:ActionNotSupported",
                    $"The message with Action '{action}' cannot be processed at this endpoint (expected {expectedAction}).", null, null, true), responseAction, messageId).ConfigureAwait(false);
                return;
            }
            if (auth == AdcsAuthentication.UsernamePassword) identity = UsernameTokenIdentity(header);
            if (identity == null)
            {
                await SoapReply(context, InvalidSecurity(), responseAction, messageId).ConfigureAwait(false);
                return;
            }
            var content = request.Root?.Element(AdcsXml.Soap + "Body")?.Elements().FirstOrDefault();
            var outcome = content == null
                ? LabEnrollmentService.Fault("s:Sender", null, "The SOAP body is empty.", null, null, true)
                : handle(content);
            await SoapReply(context, outcome, responseAction, messageId).ConfigureAwait(false);
        }

        private static LabEnrollmentService.Outcome InvalidSecurity() =>
            LabEnrollmentService.Fault("s:Sender", "a:InvalidSecurity", "An error occurred when verifying security for the message.", null, null, false);

        private static async Task SoapReply(HttpContext context, LabEnrollmentService.Outcome outcome, string action, string? relatesTo)
        {
            var header = new XElement(AdcsXml.Soap + "Header",
                new XElement(AdcsXml.Addressing + "Action", new XAttribute(AdcsXml.Soap + "mustUnderstand", "1"),
                    !outcome.IsFault ? action
                    : outcome.Body.Descendants(AdcsXml.Wstep + "CertificateEnrollmentWSDetail").Any() ? AdcsXml.EnrollmentFaultAction
                    : AdcsXml.FaultAction));
            if (relatesTo != null) header.Add(new XElement(AdcsXml.Addressing + "RelatesTo", relatesTo));
            var envelope = new XDocument(new XElement(AdcsXml.Soap + "Envelope",
                new XAttribute(XNamespace.Xmlns + "s", AdcsXml.Soap.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "a", AdcsXml.Addressing.NamespaceName),
                header, new XElement(AdcsXml.Soap + "Body", outcome.Body)));
            context.Response.StatusCode = outcome.IsFault ? 500 : 200;
            await Write(context, AdcsXml.ContentType, SoapEnvelope.Serialize(envelope)).ConfigureAwait(false);
        }

        /// <summary>IIS's Windows authentication in front of /certsrv and mscep_admin: Negotiate where served, else Basic or a client certificate.</summary>
        private async Task<bool> Authenticated(HttpContext context)
        {
            if (_options.Negotiate && IsNegotiate(context))
                return await NegotiateIdentity(context).ConfigureAwait(false) != null;
            if (BasicIdentity(context) != null || ClientCertificateIdentity(context) != null) return true;
            context.Response.StatusCode = 401;
            if (_options.Negotiate) context.Response.Headers.Append("WWW-Authenticate", "Negotiate");
            context.Response.Headers.Append("WWW-Authenticate", "Basic realm=\"PSCertConnector Lab\"");
            return false;
        }

        private async Task Scep(HttpContext context)
        {
            var query = context.Request.Query;
            byte[]? body = HttpMethods.IsPost(context.Request.Method) ? await ReadBody(context).ConfigureAwait(false) : null;
            var reply = _scep.Operation(query["operation"].ToString(), query["message"].ToString(), body);
            context.Response.StatusCode = reply.Status;
            await Write(context, reply.ContentType, reply.Body).ConfigureAwait(false);
        }

        private async Task WebEnrollment(HttpContext context, string path)
        {
            if (!await Authenticated(context).ConfigureAwait(false)) return;
            var page = path.TrimEnd('/').Substring("/certsrv".Length).TrimStart('/').ToLowerInvariant();
            LabWebEnrollment.Reply reply;
            switch (page)
            {
                case "":
                case "default.asp":
                    reply = LabWebEnrollment.Home(_authority);
                    break;
                case "certfnsh.asp" when HttpMethods.IsPost(context.Request.Method):
                    var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
                    reply = LabWebEnrollment.Submit(_authority, form.ToDictionary(f => f.Key, f => f.Value.ToString()));
                    break;
                case "certnew.cer":
                case "certnew.p7b":
                    reply = LabWebEnrollment.Retrieve(_authority, context.Request.Query["ReqID"], page.EndsWith(".p7b", StringComparison.Ordinal), context.Request.Query["Enc"]);
                    break;
                case "certcarc.asp":
                    reply = LabWebEnrollment.CaRenewals(_authority);
                    break;
                default:
                    context.Response.StatusCode = 404;
                    return;
            }
            context.Response.StatusCode = reply.Status;
            await Write(context, reply.ContentType, reply.Body).ConfigureAwait(false);
        }

        /// <summary>POST /lab/admin/requests/{id}/approve|deny (a CA manager's action); GET /lab/ca-bundle.pem.</summary>
        private async Task Admin(HttpContext context, string path)
        {
            if (path.Equals("/lab/ca-bundle.pem", StringComparison.OrdinalIgnoreCase))
            {
                await Write(context, "application/x-pem-file", await File.ReadAllBytesAsync(_authority.BundlePath).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            }
            var parts = path.Trim('/').Split('/');
            if (parts.Length != 5 || parts[1] != "admin" || parts[2] != "requests" || !HttpMethods.IsPost(context.Request.Method)
                || parts[4] is not ("approve" or "deny") || !long.TryParse(parts[3], out var id))
            {
                context.Response.StatusCode = 404;
                return;
            }
            if (BasicIdentity(context) == null && ClientCertificateIdentity(context) == null && !ApiKeyMatches(context))
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"PSCertConnector Lab\"";
                return;
            }
            try
            {
                var result = parts[4] == "approve" ? _authority.Ca.Approve(id) : _authority.Ca.Deny(id);
                await Write(context, "application/json", Encoding.UTF8.GetBytes($"{{\"request_id\":\"{id}\",\"status\":\"{result.Status.ToString().ToLowerInvariant()}\"}}")).ConfigureAwait(false);
            }
            catch (PscException ex)
            {
                context.Response.StatusCode = ex.Category == FailureCategory.ObjectNotFound ? 404 : 409;
                await Write(context, "application/json", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(
                    new { errors = new[] { new { code = ex.ErrorId, message = ex.Message } } }))).ConfigureAwait(false);
            }
        }

        /// <summary>The DigiCert emulations' API key (x-api-key for DigiCert ONE, also accepted by the admin endpoint; X-DC-DEVKEY for CertCentral).</summary>
        private bool ApiKeyMatches(HttpContext context) => KeyMatches(context.Request.Headers["x-api-key"].ToString());

        private bool DevKeyMatches(HttpContext context) => KeyMatches(context.Request.Headers["X-DC-DEVKEY"].ToString());

        private bool KeyMatches(string key) =>
            _options.ApiKey != null && key.Length > 0
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(_options.ApiKey));

        private string? UsernameTokenIdentity(XElement? header)
        {
            var token = header?.Element(AdcsXml.Wsse + "Security")?.Element(AdcsXml.Wsse + "UsernameToken");
            var user = token?.Element(AdcsXml.Wsse + "Username")?.Value;
            var password = token?.Element(AdcsXml.Wsse + "Password")?.Value;
            return user != null && password != null && PasswordMatches(user, password) ? user : null;
        }

        private IReadOnlyList<AdcsAuthentication> ServedAuthentications => _options.Negotiate
            ? new[] { AdcsAuthentication.Kerberos, AdcsAuthentication.UsernamePassword, AdcsAuthentication.Certificate }
            : new[] { AdcsAuthentication.UsernamePassword, AdcsAuthentication.Certificate };

        private static bool IsNegotiate(HttpContext context)
        {
            var header = context.Request.Headers.Authorization.ToString();
            return header.StartsWith("Negotiate ", StringComparison.OrdinalIgnoreCase) || header.StartsWith("NTLM ", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>
        /// The caller's principal after an HTTP Negotiate exchange (RFC 4559), or null once a 401 with the next challenge
        /// (or a refusal) has been written. The exchange lives on the connection: NTLM takes two round trips.
        /// </summary>
        private async Task<string?> NegotiateIdentity(HttpContext context)
        {
            var items = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items;
            const string key = "lab.negotiate";
            var header = context.Request.Headers.Authorization.ToString();
            var space = header.IndexOf(' ');
            var scheme = space > 0 ? header.Substring(0, space) : header;
            if (!_options.Negotiate || !(scheme.Equals("Negotiate", StringComparison.OrdinalIgnoreCase) || scheme.Equals("NTLM", StringComparison.OrdinalIgnoreCase)) || space < 0)
            {
                await Challenge(context, null).ConfigureAwait(false);
                return null;
            }
            byte[] incoming;
            try { incoming = Convert.FromBase64String(header.Substring(space + 1).Trim()); }
            catch (FormatException)
            {
                context.Response.StatusCode = 400;
                return null;
            }
            if (items?[key] is not System.Net.Security.NegotiateAuthentication negotiate)
            {
                negotiate = new System.Net.Security.NegotiateAuthentication(new System.Net.Security.NegotiateAuthenticationServerOptions
                {
                    Package = scheme.Equals("NTLM", StringComparison.OrdinalIgnoreCase) ? "NTLM" : "Negotiate",
                });
                if (items != null) items[key] = negotiate;
            }
            var outgoing = negotiate.GetOutgoingBlob(incoming, out var status);
            var token = outgoing is { Length: > 0 } ? scheme + " " + Convert.ToBase64String(outgoing) : null;
            switch (status)
            {
                case System.Net.Security.NegotiateAuthenticationStatusCode.Completed:
                    items?.Remove(key);
                    if (token != null) context.Response.Headers.Append("WWW-Authenticate", token); // mutual authentication
                    var name = negotiate.RemoteIdentity.Name;
                    negotiate.Dispose();
                    return name;
                case System.Net.Security.NegotiateAuthenticationStatusCode.ContinueNeeded:
                    await Challenge(context, token).ConfigureAwait(false);
                    return null;
                default:
                    items?.Remove(key);
                    negotiate.Dispose();
                    await Challenge(context, null).ConfigureAwait(false);
                    return null;
            }
        }

        private static Task Challenge(HttpContext context, string? token)
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.Append("WWW-Authenticate", token ?? "Negotiate");
            return Task.CompletedTask;
        }

        private string? BasicIdentity(HttpContext context)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6).Trim())); }
            catch (FormatException) { return null; }
            var colon = decoded.IndexOf(':');
            if (colon < 0) return null;
            var user = decoded.Substring(0, colon);
            return PasswordMatches(user, decoded.Substring(colon + 1)) ? user : null;
        }

        private string? ClientCertificateIdentity(HttpContext context)
        {
            var certificate = context.Connection.ClientCertificate;
            return certificate != null && _authority.Accepts(certificate, out _) ? certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false) : null;
        }

        private bool PasswordMatches(string user, string password)
        {
            // DOMAIN\user and user are the same account here, as they are for CES.
            var bare = user.Contains('\\') ? user.Substring(user.IndexOf('\\') + 1) : user;
            if (!_options.Users.TryGetValue(bare, out var expected) && !_options.Users.TryGetValue(user, out expected)) return false;
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(password));
        }

        private async Task<byte[]> ReadBody(HttpContext context)
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            return buffer.ToArray();
        }

        private static async Task Write(HttpContext context, string contentType, byte[] body)
        {
            context.Response.ContentType = contentType;
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }

        public async Task StopAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _scep.Dispose();
        }
    }
}
