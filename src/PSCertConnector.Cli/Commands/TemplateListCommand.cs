using System.Linq;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    /// <summary>template list [--connector] NAME [PATTERN]: the connector may be the first argument, the name pattern follows it.</summary>
    internal sealed class TemplateListCommand : CliCommand
    {
        public TemplateListCommand() : base("template list", "List a connector's templates from the cache, or from the CA with --refresh.",
            new CliOption("connector", "connector name"),
            CliOption.Flag("refresh", "fetch the list from the CA again"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var fromOption = cl.Get("connector");
            var connector = Arguments.Connector(cl);
            var pattern = cl.Positionals.Skip(fromOption == null ? 1 : 0).FirstOrDefault();
            var refresh = cl.Has("refresh");
            return run.Op(false, (ws, s) => new TemplateOperations(ws, s).Get(connector, refresh, pattern));
        }
    }
}
