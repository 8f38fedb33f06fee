namespace PSCertConnector.Core.Pkix
{
    /// <summary>The pkiStatus of a SCEP CertRep (RFC 8894 §3.2.1.3).</summary>
    public enum ScepPkiStatus
    {
        Success = 0,
        Failure = 2,
        Pending = 3,
    }
}
