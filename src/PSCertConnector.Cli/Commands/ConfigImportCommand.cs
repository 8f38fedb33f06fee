using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConfigImportCommand : CliCommand
    {
        public ConfigImportCommand() : base("config import",
            "Bring the connectors and notification rules to a configuration file made by 'config export': each is added, updated, or left alone when it matches. Secrets come from the references in the file.",
            new CliOption("file", "the configuration (JSON)"),
            new CliOption("secret-env", "NAME=VARIABLE: the secret of connector or rule NAME from this environment variable, instead of the file's reference (NAME:proxy for a connector's proxy password; repeat)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var file = cl.Get("file") ?? (cl.Positionals.Count == 1 ? cl.Positionals[0] : throw CommandLine.Usage("Name the configuration file (--file FILE)."));
            if (!File.Exists(file)) throw CommandLine.Usage($"The file '{file}' does not exist.");
            var secrets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in cl.All("secret-env"))
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0) throw CommandLine.Usage($"--secret-env '{pair}' should be NAME=VARIABLE.");
                secrets[parts[0]] = Environment.GetEnvironmentVariable(parts[1]) is { Length: > 0 } value ? value
                    : throw CommandLine.Usage($"The environment variable '{parts[1]}' named by --secret-env is not set or empty.");
            }
            var document = ConfigurationOperations.Parse(File.ReadAllText(file), $"'{Path.GetFullPath(file)}'");
            return run.Op(false, (ws, s) => new ConfigurationOperations(ws, s).Import(document, secrets));
        }
    }
}
