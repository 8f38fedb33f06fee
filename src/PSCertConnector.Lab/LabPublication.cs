using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// The Lab CA's publication point, as AD CS's IIS serves /CertEnroll: plain HTTP on loopback, GET only, the CA
    /// certificates (.crt) and CRLs (.crl) of the CA's pub folder. Plain HTTP on purpose: AIA and CDP fetches must not
    /// need TLS (a client checking revocation of the TLS certificate could not otherwise get the CRL).
    /// </summary>
    public sealed class LabPublication : IAsyncDisposable
    {
        public const string PathPrefix = "/CertEnroll/";

        private readonly WebApplication _app;
        private readonly string _folder;
        private Func<string, byte[]?>? _fresh;

        private LabPublication(WebApplication app, string folder, Uri baseUri)
        {
            _app = app;
            _folder = folder;
            BaseUri = baseUri;
        }

        /// <summary>http://localhost:PORT/CertEnroll/ — the prefix of every AIA and CDP URL the Lab CA writes.</summary>
        public Uri BaseUri { get; }
        public int Port => BaseUri.Port;

        /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0: any free port) and serves files of <paramref name="folder"/>.</summary>
        public static LabPublication Start(string folder, int port)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Limits.MaxRequestBodySize = 0;
                kestrel.Listen(IPAddress.Loopback, port);
            });
            var app = builder.Build();
            LabPublication? publication = null;
            app.Run(context => publication!.Serve(context));
            app.StartAsync().GetAwaiter().GetResult();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var bound = new Uri(address).Port;
            publication = new LabPublication(app, folder, new Uri($"http://localhost:{bound}{PathPrefix}"));
            return publication;
        }

        /// <summary>Lets the CA answer for a file first (its CRL, re-signed when it has lapsed); null falls back to the folder.</summary>
        public void ServeFreshFrom(Func<string, byte[]?> fresh) => _fresh = fresh;

        private async Task Serve(HttpContext context)
        {
            var path = context.Request.Path.Value ?? "";
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = 405;
                return;
            }
            var name = path.StartsWith(PathPrefix, StringComparison.OrdinalIgnoreCase) ? Uri.UnescapeDataString(path.Substring(PathPrefix.Length)) : "";
            var extension = Path.GetExtension(name).ToLowerInvariant();
            // Only a bare file name of a certificate or CRL: no folders, nothing else of the CA's.
            if (name.Length == 0 || name.IndexOfAny(new[] { '/', '\\' }) >= 0 || name.StartsWith(".", StringComparison.Ordinal) || extension is not (".crt" or ".crl"))
            {
                context.Response.StatusCode = 404;
                return;
            }
            var body = _fresh?.Invoke(name);
            if (body == null)
            {
                var file = Path.Combine(_folder, name);
                if (!File.Exists(file))
                {
                    context.Response.StatusCode = 404;
                    return;
                }
                body = await File.ReadAllBytesAsync(file, context.RequestAborted).ConfigureAwait(false);
            }
            context.Response.ContentType = extension == ".crl" ? "application/pkix-crl" : "application/pkix-cert";
            context.Response.ContentLength = body.Length;
            if (HttpMethods.IsGet(context.Request.Method))
                await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
