using System.Net;
using System.Text.Json;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    /// <summary>A JSON answer: status and parsed body (null for an empty 204).</summary>
    internal sealed record JsonReply(HttpStatusCode Status, JsonElement? Body);
}
