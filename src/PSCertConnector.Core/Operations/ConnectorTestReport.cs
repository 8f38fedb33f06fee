
namespace PSCertConnector.Core.Operations
{
    public sealed record ConnectorTestReport(string Connector, string Type, bool Success, string Message, int ElapsedMilliseconds);
}
