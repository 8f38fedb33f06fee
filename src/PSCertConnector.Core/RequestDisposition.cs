
namespace PSCertConnector.Core
{
    /// <summary>CR_DISP_* values returned by ICertRequest::Submit/RetrievePending (MS-WCCE).</summary>
    public enum RequestDisposition
    {
        Incomplete = 0,
        Error = 1,
        Denied = 2,
        Issued = 3,
        IssuedOutOfBand = 4,
        UnderSubmission = 5,
        Revoked = 6,
    }
}
