using System.Threading;

namespace PSCertConnector.Core
{
    /// <summary>One error about one item: the pipeline goes on with the next.</summary>
    public sealed record PscError(string ErrorId, FailureCategory Category, string Message, object? Target);

    public sealed record ProgressInfo(int ActivityId, string Activity, string Status, int PercentComplete, bool Completed = false);

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

    public static class CommandSinkExtensions
    {
        public static void WriteError(this ICommandSink sink, PscException ex, object? target = null) =>
            sink.WriteError(new PscError(ex.ErrorId, ex.Category, ex.Message, target ?? ex.Target));
    }
}
