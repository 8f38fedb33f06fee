namespace PSCertConnector.Core.Operations
{
    /// <summary>For one step of a larger operation the user has already confirmed: like <see cref="StepSink"/>, but it asks nothing again.</summary>
    internal sealed class ConfirmedStepSink : StepSink
    {
        public ConfirmedStepSink(ICommandSink outer) : base(outer) { }

        public override bool ShouldProcess(string target, string action) => true;
    }
}
