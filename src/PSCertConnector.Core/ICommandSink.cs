using System.Threading;

namespace PSCertConnector.Core
{
    /// <summary>
    /// Where an operation sends what it produces. The cmdlet base class and the CLI each implement it, so
    /// per-item streaming, non-terminating errors and ShouldProcess behave the same in both.
    /// </summary>
    public interface ICommandSink
    {
        void WriteObject(object item);
        void WriteError(PscError error);
        void WriteWarning(string message);
        void WriteVerbose(string message);
        void WriteProgress(ProgressInfo progress);
        /// <summary>Asked right before each side effect; false means skip it (WhatIf, or the user said no).</summary>
        bool ShouldProcess(string target, string action);
        CancellationToken Cancellation { get; }
    }
}
