namespace PSCertConnector.Core.Pkix
{
    /// <summary>Why a SCEP server refused a message (failInfo, RFC 8894 §3.2.1.4).</summary>
    public enum ScepFailInfo
    {
        BadAlg = 0,
        BadMessageCheck = 1,
        BadRequest = 2,
        BadTime = 3,
        BadCertId = 4,
    }
}
