
namespace PSCertConnector.Core
{
    /// <summary>
    /// What a CA can say about a submission it was sent under our submission id (the request attribute
    /// <see cref="SubmissionLookup.AttributeName"/>): the request it became, that it never arrived, or that this
    /// transport cannot tell.
    /// </summary>
    public sealed class SubmissionLookup
    {
        /// <summary>The request attribute every submit carries; an administrator can search the CA's requests for it.</summary>
        public const string AttributeName = "PSCertConnectorSubmissionId";

        private SubmissionLookup(SubmitResult? result, bool received) { Result = result; Received = received; }

        /// <summary>The request the submission became, when the CA found it.</summary>
        public SubmitResult? Result { get; }
        /// <summary>False when the CA knows for certain it never received the submission.</summary>
        public bool Received { get; }

        public static SubmissionLookup Found(SubmitResult result) => new SubmissionLookup(result, true);
        public static readonly SubmissionLookup NotReceived = new SubmissionLookup(null, false);
        public static readonly SubmissionLookup CannotTell = new SubmissionLookup(null, true);
    }
}
