using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    /// <summary>
    /// JSON over HTTPS to a DigiCert API with the connector's identity header: both DigiCert error shapes read,
    /// 429/503 retried after Retry-After a bounded number of times, anything not JSON refused with what it was.
    /// </summary>
    internal sealed class DigiCertJsonChannel : IDisposable
    {
        public const int MaxRetries = 3;
        public static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(30);

        private readonly HttpService _http;
        private readonly string _connector;
        private readonly (string Name, string Value)? _keyHeader;

        public DigiCertJsonChannel(HttpService http, string connector, (string Name, string Value)? keyHeader)
        {
            _http = http;
            _connector = connector;
            _keyHeader = keyHeader;
        }

        /// <summary>Waits between retries; tests replace it to stay fast.</summary>
        public Action<TimeSpan, CancellationToken> Sleep { get; set; } = (delay, token) => token.WaitHandle.WaitOne(delay);

        public JsonReply Send(HttpMethod method, Uri uri, object? body, string what, CancellationToken cancellation)
        {
            var reply = Exchange(method, uri, body, what, cancellation);
            return reply.StatusCode == HttpStatusCode.NoContent ? new JsonReply(reply.StatusCode, null) : new JsonReply(reply.StatusCode, Parse(reply, what));
        }

        /// <summary>A GET whose answer is plain text (DigiCert ONE's /hello): only the status counts.</summary>
        public void Ping(Uri uri, CancellationToken cancellation) => Exchange(HttpMethod.Get, uri, null, "ping", cancellation);

        /// <summary>A call whose answer is text, not JSON (CertCentral's pem_all download).</summary>
        public string SendText(HttpMethod method, Uri uri, string what, CancellationToken cancellation) =>
            Exchange(method, uri, null, what, cancellation).Text;

        /// <summary>One call with retries on 429/503; any answer but a success becomes a clear error.</summary>
        private HttpReply Exchange(HttpMethod method, Uri uri, object? body, string what, CancellationToken cancellation)
        {
            for (int attempt = 0; ; attempt++)
            {
                HttpContent? content = body == null ? null
                    : new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
                var headers = new List<(string, string)> { ("Accept", "application/json") };
                if (_keyHeader is { } key) headers.Add((key.Name, key.Value));
                var reply = _http.Send(method, uri, content, cancellation, extraHeaders: headers);
                var status = (int)reply.StatusCode;
                if ((status == 429 || status == 503) && attempt < MaxRetries)
                {
                    Sleep(RetryAfter(reply, attempt), cancellation);
                    cancellation.ThrowIfCancellationRequested();
                    continue;
                }
                if (status == 429)
                    throw new ServiceUnavailableException("RateLimited", FailureCategory.ConnectionError,
                        $"{uri.Host} kept answering 429 (too many requests) for the {what} after {MaxRetries} retries. Wait a minute, or spread the work out.") { Target = uri.ToString() };
                if (status >= 500)
                    throw new ServiceUnavailableException("ServerError", FailureCategory.ConnectionError,
                        $"{uri.Host} answered the {what} with HTTP {status}{(status == 503 ? $" after {MaxRetries} retries" : "")}: {ErrorText(reply) ?? SafeXml.Preview(reply.Body)}") { Target = uri.ToString() };
                if (reply.IsSuccess) return reply;
                throw Failure(reply, what);
            }
        }

        private static TimeSpan RetryAfter(HttpReply reply, int attempt)
        {
            if (reply.RetryAfter is { } header)
            {
                if (int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryWait.TotalSeconds));
                if (DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
                {
                    var wait = when - DateTimeOffset.UtcNow;
                    return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryWait ? MaxRetryWait : wait;
                }
            }
            return TimeSpan.FromSeconds(Math.Min(MaxRetryWait.TotalSeconds, Math.Pow(2, attempt))); // 1, 2, 4 s
        }

        /// <summary>The body as JSON, or a MalformedResponse saying what came instead (internal: the fuzz targets read answers through it).</summary>
        internal static JsonElement Parse(HttpReply reply, string what)
        {
            if (reply.Body.Length == 0)
                throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"{reply.Uri.Host} answered the {what} with HTTP {(int)reply.StatusCode} and an empty body where JSON was expected.") { Target = reply.Uri.ToString() };
            if (reply.MediaType != null && reply.MediaType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
                throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"{reply.Uri.Host} answered the {what} with an HTML page ('{CertsrvCodec.Title(reply.Text)}', HTTP {(int)reply.StatusCode}) where JSON was expected. " +
                    "Check the connector's url setting (a proxy or login page may be in the way).") { Target = reply.Uri.ToString() };
            try
            {
                using var document = ParseDocument(reply.Body);
                return document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"{reply.Uri.Host} answered the {what} with something that is not JSON ({ex.Message}). Starts with: {SafeXml.Preview(reply.Body)}") { Target = reply.Uri.ToString() };
            }
        }

        /// <summary>
        /// Parses a peer's JSON and decodes every string and property name once. JsonDocument decodes strings only
        /// when asked, so invalid UTF-8 or a lone surrogate escape would otherwise surface later, as an
        /// InvalidOperationException from whichever reader touched it; here it is a JsonException like any other bad JSON.
        /// </summary>
        internal static JsonDocument ParseDocument(byte[] body)
        {
            var document = JsonDocument.Parse(body, SafeJson.Options);
            try
            {
                DecodeStrings(document.RootElement);
                return document;
            }
            catch (InvalidOperationException ex)
            {
                document.Dispose();
                throw new JsonException("it holds a string that is not valid Unicode (" + ex.Message + ")", ex);
            }
        }

        // Depth is bounded by SafeJson.MaxDepth, which the parse enforced.
        private static void DecodeStrings(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        DecodeStrings(property.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray()) DecodeStrings(item);
                    break;
                case JsonValueKind.String:
                    element.GetString();
                    break;
            }
        }

        /// <summary>
        /// The code, message and offending field of either DigiCert error shape: {"error":{…}} or {"errors":[{…}]}
        /// (the first error that names a field gives the field).
        /// </summary>
        public static (string? Code, string? Message, string? Field) ReadError(JsonElement json)
        {
            if (json.ValueKind != JsonValueKind.Object) return (null, null, null);
            if (json.TryGetProperty("error", out var single) && single.ValueKind == JsonValueKind.Object)
                return (Str(single, "code"), Str(single, "message"), Str(single, "field"));
            if (json.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0)
            {
                var first = list[0];
                var messages = list.EnumerateArray().Select(e => Str(e, "message")).Where(m => m != null);
                var field = list.EnumerateArray().Select(e => Str(e, "field")).FirstOrDefault(f => f != null);
                return (Str(first, "code"), string.Join("; ", messages), field);
            }
            return (null, null, null);
        }

        private static string? ErrorText(HttpReply reply)
        {
            try
            {
                using var document = ParseDocument(reply.Body);
                var (code, message, _) = ReadError(document.RootElement);
                return code == null && message == null ? null : $"{message} ({code})";
            }
            catch (JsonException) { return null; }
        }

        private PscException Failure(HttpReply reply, string what)
        {
            string? code = null, message = null, field = null;
            try
            {
                using var document = ParseDocument(reply.Body);
                (code, message, field) = ReadError(document.RootElement);
            }
            catch (JsonException) { } // an HTML or empty error page: its first characters are shown instead
            var said = $"{message ?? SafeXml.Preview(reply.Body)}{(code != null ? $" ({code})" : "")}";
            var uri = reply.Uri;
            var baseCode = code?.Split('|')[0]; // CertCentral codes may carry a detail after '|', e.g. not_found|order
            return (int)reply.StatusCode switch
            {
                401 => new PscException("AuthenticationFailed", FailureCategory.PermissionDenied,
                    $"{uri.Host} did not accept connector '{_connector}''s credentials for the {what}: {said}. Check the API key (connector set --secret-env) " +
                    "or that the client certificate is valid and registered for API access.") { Target = uri.ToString() },
                403 => new PscException("AccessDenied", FailureCategory.PermissionDenied,
                    $"{uri.Host} refused the {what} to connector '{_connector}': {said}. The API key or user lacks the permission, or the business unit is not theirs.") { Target = uri.ToString() },
                404 => new PscException("NotFoundOnCa", FailureCategory.ObjectNotFound, $"{uri.Host} has no such object for the {what}: {said}.") { Target = uri.ToString() },
                400 when RefersTo(field, message, "profile") => new PscException("UnknownProfile", FailureCategory.ObjectNotFound,
                    $"{uri.Host} does not know the certificate profile of the {what}: {said}. The template of a DigiCert request is the profile id " +
                    $"(DigiCert ONE: the profile's GUID; PKI Platform: its dotted OID); 'certconnector template list --connector {_connector} --refresh' lists the active ones.") { Target = uri.ToString() },
                400 when RefersTo(field, message, "attribute") => new PscException("AttributeMismatch", FailureCategory.InvalidData,
                    $"{uri.Host} refused the {what} because its subject or SAN attributes do not match what the profile requires: {said}. " +
                    "Compare the profile's enrollment fields with the request; for Intune-style profiles, build the request with the guide's rules " +
                    "(New-RaCertificateRequest -IntuneSubjectFormat, or certconnector request new --intune).") { Target = field ?? uri.ToString() },
                _ => new PscException(baseCode == "invalid_request" || reply.StatusCode == HttpStatusCode.BadRequest ? "RequestRejected" : "UnexpectedResponse",
                    FailureCategory.InvalidOperation, $"{uri.Host} refused the {what}: {said}") { Target = uri.ToString() },
            };
        }

        /// <summary>Whether a 400 is about a part of the request: by the field it names, or failing that by its wording.</summary>
        private static bool RefersTo(string? field, string? message, string part) =>
            field != null
                ? field.StartsWith(part, StringComparison.OrdinalIgnoreCase)
                : message != null && message.IndexOf(part, StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>The connector's secret as the API key; SecretRequired (saying how to give it) when there is none.</summary>
        public static string RequireApiKey(byte[]? secret, string connector, string product)
        {
            var key = secret == null ? null : Encoding.UTF8.GetString(secret);
            if (string.IsNullOrEmpty(key))
                throw new PscException("SecretRequired", FailureCategory.InvalidArgument,
                    $"Connector '{connector}' needs its {product} API key as its secret: {UserText.Command("connector set " + connector + " --secret-env VAR", "Set-CaConnector " + connector + " -ApiKey (Read-Host -AsSecureString)")}.") { Target = connector };
            return key!;
        }

        public static string? Str(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        /// <summary>A whole-number property that fits a long; null when absent, not a number, fractional or too large.</summary>
        public static long? Int64(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
                && value.TryGetInt64(out var number) ? number : null;

        /// <summary>A property that must be a whole number (an id, a count); MalformedResponse naming the field otherwise.</summary>
        public static long RequireInt64(JsonElement element, string name, string what)
        {
            var value = Require(element, name, JsonValueKind.Number, what);
            return value.TryGetInt64(out var number) ? number
                : throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"The {what} has '{name}' = {value.GetRawText()}, which is not a whole number.");
        }

        /// <summary>A property that is an object, or default (Undefined, which Str and Int64 read as absent).</summary>
        public static JsonElement Obj(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : default;

        /// <summary>A property that must be of a kind; a clear MalformedResponse naming the field otherwise.</summary>
        public static JsonElement Require(JsonElement element, string name, JsonValueKind kind, string what)
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == kind) return value;
            throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                $"The {what} has no '{name}' of type {kind.ToString().ToLowerInvariant()}" +
                (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var found) ? $" (it is {found.ValueKind.ToString().ToLowerInvariant()})." : "."));
        }

        public string RouteTo(Uri target) => _http.RouteTo(target);
        public void Dispose() => _http.Dispose();
    }
}
