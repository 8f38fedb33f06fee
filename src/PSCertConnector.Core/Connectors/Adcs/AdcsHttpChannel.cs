using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors.Adcs
{
    /// <summary>
    /// One AD CS web service over HTTPS with the connector's identity: SOAP posts, page gets and form posts,
    /// and the translation of HTTP outcomes into errors a user can act on.
    /// </summary>
    internal sealed class AdcsHttpChannel : IScepChannel
    {
        private readonly HttpService _http;
        private readonly NetworkCredential? _credential;

        public AdcsHttpChannel(AdcsServiceSettings settings, ConnectorSecrets secrets)
        {
            Settings = settings;
            _credential = settings.Authentication == AdcsAuthentication.UsernamePassword ? settings.Credential(secrets.Secret) : null;
            if (settings.Authentication == AdcsAuthentication.UsernamePassword && (_credential == null || _credential.Password.Length == 0))
                throw new PscException("SecretRequired", FailureCategory.InvalidArgument,
                    $"Connector '{settings.Connector}' uses UsernamePassword but has no password. Set it with " +
                    $"{UserText.Command($"connector set {settings.Connector} --secret-env VAR", $"Set-CaConnector {settings.Connector} -Credential (Get-Credential)")}.") { Target = settings.Connector };
            _http = new HttpService(settings.HttpOptions(secrets));
        }

        public AdcsServiceSettings Settings { get; }

        public string RouteTo(Uri target) => _http.RouteTo(target);

        /// <summary>The WS-Security token CEP/CES expect for UsernamePassword endpoints; null for the other authentications.</summary>
        public UsernameToken? Token => _credential == null ? null : new UsernameToken(ConnectorSecrets.UserOf(_credential), _credential.Password);

        private AuthenticationHeaderValue? Basic => _credential == null ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(ConnectorSecrets.UserOf(_credential) + ":" + _credential.Password)));

        /// <summary>Posts a SOAP message; returns the envelope, or the fault when the server answered with one (HTTP 500).</summary>
        public (XDocument Document, SoapFault? Fault) PostSoap(Uri uri, byte[] message, string what, CancellationToken cancellation)
        {
            var content = new ByteArrayContent(message);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(AdcsXml.ContentType);
            var (reply, document) = _http.Exchange(HttpMethod.Post, uri, content, cancellation, (reply, readCancellation) =>
            {
                CheckStatus(reply, what, soap: true);
                if (reply.MediaType != null && reply.MediaType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
                    throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                        $"{uri.Host} answered the {what} with an HTML page ('{CertsrvCodec.Title(reply.Text)}') where SOAP was expected. Check the endpoint URL ({uri}).") { Target = uri.ToString() };
                return (reply, SafeXml.Parse(reply.Body, what + " from " + uri.Host, readCancellation));
            });
            var fault = SoapFault.TryRead(document);
            if (fault == null && reply.StatusCode != HttpStatusCode.OK)
                throw new ServiceUnavailableException("ServerError", FailureCategory.ConnectionError,
                    $"{uri.Host} answered the {what} with HTTP {(int)reply.StatusCode} and no SOAP fault: {SafeXml.Preview(reply.Body)}") { Target = uri.ToString() };
            if (fault != null)
            {
                if (fault.IsAuthenticationFailure)
                    throw AuthenticationFailed(uri, fault.Reason);
                if (fault.HResult == unchecked((int)0x800706BA))
                    throw new ServiceUnavailableException("CaUnavailable", FailureCategory.ConnectionError,
                        $"{uri.Host} is up but cannot reach its CA: {fault.Reason} ({HResults.Describe(fault.HResult.Value)})") { Target = uri.ToString() };
                if (fault.HResult == null && fault.Code.EndsWith("Receiver", StringComparison.Ordinal))
                    // The service itself failed (a WCF internal fault): another service may do better.
                    throw new ServiceUnavailableException("ServerError", FailureCategory.ConnectionError,
                        $"{uri.Host} failed while handling the {what}: {fault.Reason} (fault {fault.Subcode ?? fault.Code}).") { Target = uri.ToString() };
                if (fault.HResult == null)
                    throw new PscException("ServiceFault", FailureCategory.InvalidOperation,
                        $"{uri.Host} refused the {what}: {fault.Reason} (fault {fault.Subcode ?? fault.Code}).") { Target = uri.ToString() };
            }
            return (document, fault);
        }

        /// <summary>GETs a page or file; Basic authorization for UsernamePassword.</summary>
        public HttpReply Get(Uri uri, string what, CancellationToken cancellation)
        {
            var reply = _http.Send(HttpMethod.Get, uri, null, cancellation, Basic);
            CheckStatus(reply, what, soap: false);
            if (!reply.IsSuccess) throw Unexpected(reply, what);
            return reply;
        }

        // NDES's SCEP endpoint is anonymous (the challenge in the request authorizes it): the account goes only to mscep_admin.
        HttpReply IScepChannel.Get(Uri uri, string what, CancellationToken cancellation) => Anonymous(_http.Send(HttpMethod.Get, uri, null, cancellation), what);

        HttpReply IScepChannel.Post(Uri uri, byte[] body, string contentType, string what, CancellationToken cancellation)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return Anonymous(_http.Send(HttpMethod.Post, uri, content, cancellation), what);
        }

        private HttpReply Anonymous(HttpReply reply, string what)
        {
            CheckStatus(reply, what, soap: false);
            if (!reply.IsSuccess) throw Unexpected(reply, what);
            return reply;
        }

        public HttpReply PostForm(Uri uri, IEnumerable<KeyValuePair<string, string>> form, string what, CancellationToken cancellation)
        {
            var reply = _http.Send(HttpMethod.Post, uri, new FormUrlEncodedContent(form), cancellation, Basic);
            CheckStatus(reply, what, soap: false);
            if (!reply.IsSuccess) throw Unexpected(reply, what);
            return reply;
        }

        private void CheckStatus(HttpReply reply, string what, bool soap)
        {
            var uri = reply.Uri;
            switch ((int)reply.StatusCode)
            {
                case 401:
                case 403:
                    // .NET Framework's handler does not write its Negotiate header back onto the request, so only .NET can tell "no ticket".
                    if (reply.StatusCode == HttpStatusCode.Unauthorized && Settings.Authentication == AdcsAuthentication.Kerberos && !reply.AuthorizationSent
                        && !System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
                        throw NoKerberosTicket(uri);
                    throw AuthenticationFailed(uri, $"HTTP {(int)reply.StatusCode}");
                case 404:
                    throw new PscException("EndpointNotFound", FailureCategory.ObjectNotFound,
                        $"{uri.Host} has no {what} endpoint at {uri.AbsolutePath} (HTTP 404). Check the connector's host, caName and authentication settings: " +
                        "each authentication has its own endpoint path.") { Target = uri.ToString() };
                case 500 when soap && LooksLikeXml(reply):
                    return; // a SOAP fault: the caller reads it
                case >= 500:
                    throw new ServiceUnavailableException("ServerError", FailureCategory.ConnectionError,
                        $"{uri.Host} answered the {what} with HTTP {(int)reply.StatusCode} {reply.StatusCode}: {SafeXml.Preview(reply.Body)}") { Target = uri.ToString() };
            }
        }

        private static bool LooksLikeXml(HttpReply reply) =>
            reply.MediaType != null && reply.MediaType.IndexOf("xml", StringComparison.OrdinalIgnoreCase) >= 0;

        private PscException AuthenticationFailed(Uri uri, string detail) =>
            new PscException("AuthenticationFailed", FailureCategory.PermissionDenied,
                $"{uri.Host} did not accept connector '{Settings.Connector}''s {Settings.Authentication} credentials ({detail}). " +
                (Settings.Authentication == AdcsAuthentication.UsernamePassword
                    ? "Check the 'user' setting and the password (connector set --secret-env), and that this machine's clock is within 5 minutes of the server's (WS-Security timestamps)."
                    : Settings.Authentication == AdcsAuthentication.Certificate
                        ? "Check that the client certificate is valid and mapped to an account allowed to enroll."
                        : Settings.User != null
                            ? $"The account '{Settings.User}' or its password (not shown) was refused, or it may not enroll; check both, and that the service's SPN (HTTP/{uri.Host}) is registered."
                            : "Check that a Kerberos ticket for the account exists (klist) and the service's SPN (HTTP/" + uri.Host + ") is registered."))
            { Target = uri.ToString() };

        /// <summary>The server asked for Negotiate and the platform had nothing to offer: no ticket, or none could be obtained.</summary>
        private PscException NoKerberosTicket(Uri uri) => Settings.User == null
            ? new PscException("KerberosTicketMissing", FailureCategory.PermissionDenied,
                $"{uri.Host} asked for Kerberos and there is no ticket to offer. Get one with 'kinit user@REALM' (or 'kinit -k -t FILE.keytab principal' for a service account), " +
                $"point KRB5CCNAME at an existing ticket cache, or give connector '{Settings.Connector}' a user and password (connector set --setting user=… --secret-env VAR) " +
                "so a ticket is obtained with them. On Windows, run as a domain account.") { Target = uri.ToString() }
            : new PscException("AuthenticationFailed", FailureCategory.PermissionDenied,
                $"Kerberos could not obtain a ticket for '{Settings.User}' to {uri.Host} with the connector's password: the password is wrong, the account is " +
                "locked or unknown, or the KDC of its realm cannot be reached (krb5.conf). The password is not shown.") { Target = uri.ToString() };

        private static PscException Unexpected(HttpReply reply, string what) =>
            new PscException("UnexpectedResponse", FailureCategory.InvalidData,
                $"{reply.Uri.Host} answered the {what} with HTTP {(int)reply.StatusCode}: {SafeXml.Preview(reply.Body)}") { Target = reply.Uri.ToString() };

        public void Dispose() => _http.Dispose();
    }
}
