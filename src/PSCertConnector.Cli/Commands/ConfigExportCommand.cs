using System.IO;
using PSCertConnector.Core.Configuration;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConfigExportCommand : CliCommand
    {
        public ConfigExportCommand() : base("config export",
            "Write the connectors (with import and renewal settings) and notification rules as JSON, without secrets: each secret is named by an environment variable to set before 'config import'.",
            new CliOption("out", "file to write (default: standard output)"),
            CliOption.Flag("force", "overwrite --out"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var path = cl.Get("out");
            if (cl.Has("force") && path == null) throw CommandLine.Usage("--force goes with --out.");
            if (path != null)
                return run.Op(false, (ws, s) => new ConfigurationOperations(ws, s).ExportToFile(path, cl.Has("force")),
                    render: sink => { foreach (var file in sink.Objects) run.Out.WriteLine(((FileInfo)file).FullName); });
            return run.Op(false, (ws, s) => new ConfigurationOperations(ws, s).Export(),
                render: sink => run.Out.WriteLine(ConfigurationOperations.ToJson((ConfigurationDocument)sink.Objects[0])));
        }
    }
}
