
namespace PSCertConnector.Core.Operations
{
    /// <summary>How a face spells the Intune parameters, so a refusal names what the user typed.</summary>
    public sealed record IntuneParameterNames(string Email, string Upn, string OtherName, string NoEmailSan, string NoUpnSan, string SubjectFormat, string ErrorId);
}
