using System;
using System.Collections.Generic;
using PSCertConnector.Core;

namespace PSCertConnector.Core.Pkix
{
    public sealed record CrlEntry(string SerialNumber, DateTimeOffset RevokedAt, RevocationReason? Reason);
}
