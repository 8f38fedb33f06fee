using System.Threading;

namespace PSCertConnector.Core
{
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
