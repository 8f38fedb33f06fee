using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConnectorServicesCommand : CliCommand
    {
        public ConnectorServicesCommand() : base("connector services",
            "Show the enrollment endpoints (CES URIs, authentication, priority, renewal-only) a connector's policy service lists; cached with the templates.",
            CliOption.Flag("refresh", "ask the policy service again (also refreshes the templates)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run) =>
            run.Op(false, (ws, s) => new TemplateOperations(ws, s).GetEnrollmentServices(Arguments.RequirePositional(cl, "connector name"), cl.Has("refresh")));
    }
}
