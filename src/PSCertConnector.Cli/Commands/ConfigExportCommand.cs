using System.IO;
using System.Text;
using PSCertConnector.Core.Configuration;
using PSCertConnector.Core.Infrastructure;
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
            return run.Op(false, (ws, s) => new ConfigurationOperations(ws, s).Export(), render: sink =>
            {
                var json = ConfigurationOperations.ToJson((ConfigurationDocument)sink.Objects[0]);
                if (path == null) { run.Out.WriteLine(json); return; }
                var full = Path.GetFullPath(path);
                if (File.Exists(full) && !cl.Has("force")) throw CommandLine.Usage($"'{full}' exists; give --force to overwrite it.");
                AtomicFile.Write(full, Encoding.UTF8.GetBytes(json + "\n"));
                run.Out.WriteLine(full);
            });
        }
    }
}
