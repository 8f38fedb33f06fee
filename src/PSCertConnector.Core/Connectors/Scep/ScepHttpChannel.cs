using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Scep
{
    /// <summary>A plain SCEP server over HTTP or HTTPS: no account (the challenge password is the request's authorization).</summary>
    internal sealed class ScepHttpChannel : IScepChannel
    {
        private readonly HttpService _http;

        public ScepHttpChannel(ScepSettings settings, ConnectorSecrets secrets) =>
            _http = new HttpService(settings.TransportOptions(secrets.ProxyCredential) with { AllowPlainHttp = true });

        public HttpReply Get(Uri uri, string what, CancellationToken cancellation) => Checked(_http.Send(HttpMethod.Get, uri, null, cancellation), what);

        public HttpReply Post(Uri uri, byte[] body, string contentType, string what, CancellationToken cancellation)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return Checked(_http.Send(HttpMethod.Post, uri, content, cancellation), what);
        }

        public string RouteTo(Uri target) => _http.RouteTo(target);

        /// <summary>The server's HTTP outcome as an error a user can act on; a SCEP refusal comes as a signed CertRep, not here.</summary>
        internal static HttpReply Checked(HttpReply reply, string what)
        {
            if (reply.IsSuccess) return reply;
            var uri = reply.Uri;
            var status = (int)reply.StatusCode;
            if (status == 404)
                throw new PscException("EndpointNotFound", FailureCategory.ObjectNotFound,
                    $"{uri.Host} has no SCEP endpoint at {uri.AbsolutePath} (HTTP 404): check the connector's url.") { Target = uri.GetLeftPart(UriPartial.Path) };
            if (status >= 500)
                throw new ServiceUnavailableException("ServerError", FailureCategory.ConnectionError,
                    $"{uri.Host} answered the {what} with HTTP {status}: {SafeXml.Preview(reply.Body)}") { Target = uri.GetLeftPart(UriPartial.Path) };
            throw new PscException("UnexpectedResponse", FailureCategory.InvalidData,
                $"{uri.Host} answered the {what} with HTTP {status}: {SafeXml.Preview(reply.Body)}") { Target = uri.GetLeftPart(UriPartial.Path) };
        }

        public void Dispose() => _http.Dispose();
    }
}
