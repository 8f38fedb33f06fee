
namespace PSCertConnector.Core
{
    public static class Dispositions
    {
        public static SubmitStatus ToStatus(RequestDisposition d) => d switch
        {
            RequestDisposition.Incomplete => SubmitStatus.Incomplete,
            RequestDisposition.Error => SubmitStatus.Failed,
            RequestDisposition.Denied => SubmitStatus.Denied,
            RequestDisposition.Issued => SubmitStatus.Issued,
            RequestDisposition.IssuedOutOfBand => SubmitStatus.IssuedOutOfBand,
            RequestDisposition.UnderSubmission => SubmitStatus.Pending,
            RequestDisposition.Revoked => SubmitStatus.Revoked,
            _ => SubmitStatus.Failed,
        };

        public static RequestDisposition ToRequestDisposition(CaDatabaseDisposition d) => d switch
        {
            CaDatabaseDisposition.Pending => RequestDisposition.UnderSubmission,
            CaDatabaseDisposition.Issued => RequestDisposition.Issued,
            CaDatabaseDisposition.Revoked => RequestDisposition.Revoked,
            CaDatabaseDisposition.Denied => RequestDisposition.Denied,
            CaDatabaseDisposition.Failed => RequestDisposition.Error,
            CaDatabaseDisposition.Active => RequestDisposition.UnderSubmission,
            _ => RequestDisposition.Issued,
        };
    }
}
