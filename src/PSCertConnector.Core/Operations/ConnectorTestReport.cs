using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;

namespace PSCertConnector.Core.Operations
{
    public sealed record ConnectorTestReport(string Connector, string Type, bool Success, string Message, int ElapsedMilliseconds);
}
