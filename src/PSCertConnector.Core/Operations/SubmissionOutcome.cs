using System;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Whether a failed submit may still have reached the CA, which decides if its order is kept as Unknown.</summary>
    internal static class SubmissionOutcome
    {
        /// <summary>
        /// True for failures after the request may have been delivered: no answer in time, a server error, an answer
        /// that could not be read, a stop by the user. A refusal, a bad credential or an unreachable server is an answer
        /// that nothing was done.
        /// </summary>
        public static bool MayHaveReachedCa(Exception failure) => failure switch
        {
            OperationCanceledException => true,
            PscException { BeforeSending: true } => false,
            ServiceUnavailableException { ErrorId: "AllServicesFailed" } all => all.InnerException != null && MayHaveReachedCa(all.InnerException),
            PscException ex => ex.ErrorId is "ServiceTimeout" or "ServerError" or "MalformedResponse" or "UnsafeResponse" or "ResponseTooLarge" or "ScepMessageInvalid",
            _ => true,
        };
    }
}
