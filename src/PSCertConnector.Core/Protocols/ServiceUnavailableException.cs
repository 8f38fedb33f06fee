using System;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>
    /// The service did not answer usefully: unreachable, timed out or a server error. These are the
    /// failures that make a connector try the next service of its domain; a denial or a bad password is not one.
    /// </summary>
    public sealed class ServiceUnavailableException : PscException
    {
        public ServiceUnavailableException(string errorId, FailureCategory category, string message, Exception? inner = null)
            : base(errorId, category, message, inner) { }
    }
}
