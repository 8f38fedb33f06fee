using System;

namespace PSCertConnector.Core
{
    /// <summary>
    /// A failure a user can act on: a stable error id (used as the PowerShell FullyQualifiedErrorId and by
    /// the CLI), a category and a message that names the field and what was expected.
    /// </summary>
    public class PscException : Exception
    {
        /// <summary>Error text is shown to people and often quotes what it refused: control characters arrive escaped, and a
        /// quoted 1 MiB value does not make a 1 MiB message.</summary>
        public const int MaxMessageLength = 2000;

        public PscException(string errorId, FailureCategory category, string message, Exception? inner = null)
            : base(DisplayText.Escape(message, MaxMessageLength), inner)
        {
            ErrorId = errorId;
            Category = category;
        }

        public string ErrorId { get; }
        public FailureCategory Category { get; }
        /// <summary>The object the error is about (connector name, serial, file), when there is one.</summary>
        public string? Target { get; init; }

        /// <summary>
        /// Set by a transport that failed before anything of the request left this host (SCEP's GetCACaps and GetCACert
        /// come first): the submit is then known not to have reached the CA, and no order is kept for it.
        /// </summary>
        public bool BeforeSending { get; internal set; }
    }
}
