using System.Text;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConnectorSetCommand : CliCommand
    {
        public ConnectorSetCommand() : base("connector set", "Change a connector: certconnector connector set NAME [options of 'connector add'].",
            new CliOption("new-name", "rename the connector"),
            new CliOption("domain", ""),
            new CliOption("business-unit", ""),
            new CliOption("tag", "replaces the tags"),
            new CliOption("priority", ""),
            new CliOption("import-every", ""),
            CliOption.Flag("no-import"),
            CliOption.Flag("import", "turn scheduled import back on"),
            new CliOption("setting", "KEY=VALUE; KEY= removes it"),
            new CliOption("secret-env", ""),
            new CliOption("secret-file", ""),
            new CliOption("proxy-user", "account of the proxy the connector goes through"),
            new CliOption("proxy-secret-env", "environment variable holding its password"),
            new CliOption("proxy-secret-file", "file holding its password"),
            CliOption.Flag("clear-proxy-account", "forget the stored proxy account"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var name = Arguments.RequirePositional(cl, "connector name");
            var frequency = Arguments.Frequency(cl.Get("import-every"));
            var changes = new ConnectorChanges
            {
                NewName = cl.Get("new-name"),
                Domain = cl.Get("domain"),
                BusinessUnit = cl.Get("business-unit"),
                Tags = cl.Has("tag") ? cl.All("tag") : null,
                Priority = cl.Int("priority", 1, 10),
                ImportEnabled = cl.Has("no-import") ? false : cl.Has("import") ? true : null,
                ImportEvery = frequency?.Every,
                ImportEveryUnit = frequency?.Unit,
                Settings = cl.Has("setting") ? Arguments.Settings(cl) : null,
                ProxySecret = cl.ProxySecret(),
                ClearProxySecret = cl.Has("clear-proxy-account"),
            };
            var secret = cl.Secret("secret-env", "secret-file");
            return run.Op(false, (ws, s) => new ConnectorOperations(ws, s).Update(name, changes, secret == null ? null : Encoding.UTF8.GetBytes(secret)), single: true);
        }
    }
}
