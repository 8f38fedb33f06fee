
namespace PSCertConnector.Core.Operations
{
    /// <param name="Route">How the connector reached the CA (direct, or through which proxy and why); null when it is not HTTPS.</param>
    public sealed record ConnectorTestReport(string Connector, string Type, bool Success, string Message, int ElapsedMilliseconds, string? Route = null);
}
