using System.Text;
using PSCertConnector.Cli.Commands;

namespace PSCertConnector.Cli
{
    /// <summary>certconnector --help and certconnector &lt;command&gt; --help, written from the commands' own declarations.</summary>
    internal static class Help
    {
        public static string Overview
        {
            get
            {
                var sb = new StringBuilder();
                sb.AppendLine("certconnector - the certificate lifecycle against enterprise CAs and an embedded CA");
                sb.AppendLine();
                sb.AppendLine("Usage: certconnector <command> [arguments] [options]");
                sb.AppendLine();
                foreach (var c in CommandRegistry.All) sb.AppendLine($"  {c.Name,-18} {c.Synopsis}");
                sb.AppendLine();
                sb.AppendLine("Options for every command: --json (stable camelCase output), --verbose, --what-if, --yes, --home DIR, --help.");
                sb.AppendLine("State lives in $PSCERTCONNECTOR_HOME (or --home), else ~/.local/share/pscertconnector (%LOCALAPPDATA%\\PSCertConnector on Windows).");
                sb.AppendLine("Secrets are never taken on the command line: name an environment variable or a file.");
                return sb.ToString();
            }
        }

        public static string For(string name)
        {
            var command = CommandRegistry.Find(name);
            if (command == null) return Overview;
            var sb = new StringBuilder();
            sb.AppendLine($"certconnector {command.Name}: {command.Synopsis}");
            if (command.Options.Count > 0)
            {
                sb.AppendLine();
                foreach (var option in command.Options) sb.AppendLine($"  --{option.Name,-16} {option.Help}");
            }
            sb.AppendLine();
            sb.AppendLine("  --json, --verbose, --what-if, --yes, --home DIR");
            return sb.ToString();
        }
    }
}
