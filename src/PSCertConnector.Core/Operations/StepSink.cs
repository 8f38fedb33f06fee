using System.Collections.Generic;
using System.Threading;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// For one step of a larger operation: keeps the step's objects for the caller (which reports them in its own
    /// words, or counts them), counts its errors, and passes errors, warnings, progress and ShouldProcess through
    /// (so -WhatIf names each action of the step).
    /// </summary>
    internal class StepSink : ICommandSink
    {
        private readonly ICommandSink _outer;
        public StepSink(ICommandSink outer) => _outer = outer;

        public List<object> Objects { get; } = new List<object>();
        public int Errors { get; private set; }

        public CancellationToken Cancellation => _outer.Cancellation;
        public void WriteObject(object item) => Objects.Add(item);
        public void WriteError(PscError error)
        {
            Errors++;
            _outer.WriteError(error);
        }
        public void WriteWarning(string message) => _outer.WriteWarning(message);
        public void WriteVerbose(string message) => _outer.WriteVerbose(message);
        public void WriteProgress(ProgressInfo progress) => _outer.WriteProgress(progress);
        public virtual bool ShouldProcess(string target, string action) => _outer.ShouldProcess(target, action);
    }
}
