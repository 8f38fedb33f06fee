using System;

namespace PSCertConnector.Core.Pkix
{
    public sealed record CrlEntry(string SerialNumber, DateTimeOffset RevokedAt, RevocationReason? Reason);
}
