using System.Text.Json;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>The bounds every JSON document from a peer is read with (the DigiCert APIs, the Lab's REST emulations).</summary>
    public static class SafeJson
    {
        /// <summary>Deepest nesting accepted; DigiCert answers nest about 6 deep.</summary>
        public const int MaxDepth = 64;

        public static JsonDocumentOptions Options => new JsonDocumentOptions { MaxDepth = MaxDepth };
    }
}
