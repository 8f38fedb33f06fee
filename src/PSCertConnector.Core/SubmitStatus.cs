
namespace PSCertConnector.Core
{
    /// <summary>
    /// What a submit or a retrieve ended in, normalised across CA kinds. <see cref="Submitting"/> and
    /// <see cref="Unknown"/> are order states only, never a CA's answer: the order was recorded before the CA was
    /// contacted, and either the answer is still on its way or the process stopped before it was recorded and
    /// the CA cannot be asked which request it was.
    /// </summary>
    public enum SubmitStatus { Incomplete, Failed, Denied, Issued, IssuedOutOfBand, Pending, Revoked, Submitting, Unknown }
}
