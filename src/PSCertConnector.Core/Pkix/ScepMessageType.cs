namespace PSCertConnector.Core.Pkix
{
    /// <summary>The messageType attribute of a SCEP pkiMessage (RFC 8894 §3.2.1.2).</summary>
    public enum ScepMessageType
    {
        CertRep = 3,
        RenewalReq = 17,
        PKCSReq = 19,
        CertPoll = 20,
        GetCert = 21,
        GetCRL = 22,
    }
}
