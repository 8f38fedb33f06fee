using System;

namespace PSCertConnector.Core
{
    [Flags]
    public enum ConnectorCapabilities
    {
        None = 0,
        Ping = 1,
        Templates = 2,
        Enroll = 4,
        RetrievePending = 8,
        Approve = 16,
        Deny = 32,
        Revoke = 64,
        ReleaseHold = 128,
        EnumerateIssued = 256,
        CaCertificates = 512,
        Crl = 1024,
        /// <summary>Takes a renewal as Windows sends it: the new PKCS#10 inside a PKCS#7 signed with the old certificate's key.</summary>
        SignedRenewal = 2048,
    }
}
