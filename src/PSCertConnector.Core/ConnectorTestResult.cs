using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace PSCertConnector.Core
{
    public sealed record ConnectorTestResult(bool Success, string Message, TimeSpan Elapsed);
}
