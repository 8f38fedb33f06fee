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
