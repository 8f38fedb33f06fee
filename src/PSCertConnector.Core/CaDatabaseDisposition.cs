
namespace PSCertConnector.Core
{
    /// <summary>The CA database's Request.Disposition column: a different enum from CR_DISP.</summary>
    public enum CaDatabaseDisposition
    {
        Active = 8,
        Pending = 9,
        Foreign = 12,
        CaCertificate = 15,
        CaChain = 16,
        KraCertificate = 17,
        Issued = 20,
        Revoked = 21,
        Failed = 30,
        Denied = 31,
    }
}
