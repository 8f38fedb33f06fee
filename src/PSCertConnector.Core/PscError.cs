using System;

namespace PSCertConnector.Core
{
    /// <summary>One error about one item: the pipeline goes on with the next.</summary>
    public sealed record PscError(string ErrorId, FailureCategory Category, string Message, object? Target)
    {
        /// <summary>The exception behind the error, when there was one: PowerShell hands it on so that catch [type] works.</summary>
        public Exception? Exception { get; init; }

        /// <summary>The error a failure stands for, about <paramref name="target"/> or else the exception's own target.</summary>
        public static PscError From(PscException ex, object? target = null) =>
            new PscError(ex.ErrorId, ex.Category, ex.Message, target ?? ex.Target) { Exception = ex };
    }
}
