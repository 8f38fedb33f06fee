using System;
using System.Threading;

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
            sink.WriteError(PscError.From(ex, target));
    }

    /// <summary>Passes everything through but the objects: for a step whose result the caller reports in its own words.</summary>
    public sealed class SinkWithoutObjects : ICommandSink
    {
        private readonly ICommandSink _inner;
        public SinkWithoutObjects(ICommandSink inner) => _inner = inner;
        public CancellationToken Cancellation => _inner.Cancellation;
        public void WriteObject(object item) { }
        public void WriteError(PscError error) => _inner.WriteError(error);
        public void WriteWarning(string message) => _inner.WriteWarning(message);
        public void WriteVerbose(string message) => _inner.WriteVerbose(message);
        public void WriteProgress(ProgressInfo progress) => _inner.WriteProgress(progress);
        public bool ShouldProcess(string target, string action) => _inner.ShouldProcess(target, action);
    }
}
