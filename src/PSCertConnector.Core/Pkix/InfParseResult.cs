using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>The result of reading a certreq INF: the request and what was noted on the way.</summary>
    public sealed record InfParseResult(RequestSpec Spec, IReadOnlyList<string> Notes);
}
