using System;

namespace PSCertConnector.Core
{
    public sealed record ConnectorTestResult(bool Success, string Message, TimeSpan Elapsed);
}
