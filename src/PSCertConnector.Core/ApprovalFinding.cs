namespace PSCertConnector.Core
{
    /// <summary>
    /// Something about a pending request that makes approving it dangerous (see ApprovalReview): it is never approved
    /// automatically, and approving it by hand takes -Force.
    /// </summary>
    /// <param name="Rule">A stable name: EnrolleeSuppliedSubject, AnyPurposeEku, NameOutsideAllowedDomains, WeakKey, SanInAttributes, TemplatePolicyUnknown, RequestUnreadable.</param>
    public sealed record ApprovalFinding(string Rule, string Message)
    {
        /// <summary>
        /// True when the finding says the request could not be checked (TemplatePolicyUnknown, RequestUnreadable) rather than
        /// that it is dangerous: it holds back automatic approval, and is only warned about when a person approves.
        /// </summary>
        public bool Inconclusive => Rule is "TemplatePolicyUnknown" or "RequestUnreadable";

        public override string ToString() => Rule + ": " + Message;
    }
}
