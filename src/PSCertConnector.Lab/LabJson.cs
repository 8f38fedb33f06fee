using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Lab
{
    /// <summary>JSON in and out for the Lab's REST emulations.</summary>
    internal static class LabJson
    {
        /// <summary>The request body as JSON, or null when it is not JSON (the emulation then answers 400).</summary>
        public static async Task<JsonElement?> Read(HttpContext context)
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, SafeJson.Options, cancellationToken: context.RequestAborted);
                return document.RootElement.Clone();
            }
            catch (JsonException) { return null; }
        }

        public static Task Write(HttpContext context, int status, object body) =>
            Text(context, status, "application/json", JsonSerializer.Serialize(body));

        public static async Task Text(HttpContext context, int status, string type, string body)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = type;
            await context.Response.WriteAsync(body, context.RequestAborted);
        }
    }
}
