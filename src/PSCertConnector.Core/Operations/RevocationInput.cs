using System;

namespace PSCertConnector.Core.Operations
{
    /// <summary>One revocation asked for: which certificate, why, and from when.</summary>
    public sealed record RevocationInput(CertificateSelector Selector, RevocationReason Reason, DateTimeOffset? EffectiveDate = null);
}
