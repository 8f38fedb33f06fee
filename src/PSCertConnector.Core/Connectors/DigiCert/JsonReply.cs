using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    /// <summary>A JSON answer: status and parsed body (null for an empty 204).</summary>
    internal sealed record JsonReply(HttpStatusCode Status, JsonElement? Body);
}
