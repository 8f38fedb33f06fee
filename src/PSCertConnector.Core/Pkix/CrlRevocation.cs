using System;

namespace PSCertConnector.Core.Pkix
{
    public sealed record CrlRevocation(string SerialNumber, DateTimeOffset RevokedAt, RevocationReason Reason);
}
