using System;
using System.Net;

namespace PSCertConnector.Core.Protocols
{
    public sealed record HttpReply(HttpStatusCode StatusCode, string? MediaType, byte[] Body, Uri Uri)
    {
        /// <summary>The Retry-After header as sent (seconds or an HTTP date), when there is one.</summary>
        public string? RetryAfter { get; init; }
        /// <summary>Whether the request went out with an Authorization header (ours, or the platform's Negotiate token).</summary>
        public bool AuthorizationSent { get; init; }
        public string Text => System.Text.Encoding.UTF8.GetString(Body);
        public bool IsSuccess => (int)StatusCode >= 200 && (int)StatusCode < 300;
    }
}
