namespace PSCertConnector.Core
{
    /// <summary>
    /// Something about a pending request that makes approving it dangerous (see ApprovalReview): it is never approved
    /// automatically, and approving it by hand takes -Force.
    /// </summary>
    /// <param name="Rule">A stable name: EnrolleeSuppliedSubject, AnyPurposeEku, NameOutsideAllowedDomains, WeakKey, TemplatePolicyUnknown, RequestUnreadable.</param>
    public sealed record ApprovalFinding(string Rule, string Message)
    {
        public override string ToString() => Rule + ": " + Message;
    }
}
