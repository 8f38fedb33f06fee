using System.Collections.Generic;
using System.Threading;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// For one step of the maintenance pass: keeps the step's objects (the pass reports counts, not every record),
    /// counts its errors and passes them, warnings, progress and ShouldProcess (so -WhatIf names each action) through.
    /// </summary>
    internal sealed class PassStepSink : ICommandSink
    {
        private readonly ICommandSink _outer;
        public PassStepSink(ICommandSink outer) => _outer = outer;

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
        public bool ShouldProcess(string target, string action) => _outer.ShouldProcess(target, action);
    }
}
