namespace PSCertConnector.Cli.Commands
{
    internal sealed class DemoCommand : CliCommand
    {
        public DemoCommand() : base("demo", "Run the whole lifecycle on an embedded CA in a fresh home folder and print each step.") { }

        public override int Run(CommandLine cl, Invocation run) => new Demo(run.Out, run.Err, run.Cancel).Run(cl);
    }
}
