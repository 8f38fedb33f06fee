using System.Linq;
using System.Text;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ConnectorAddCommand : CliCommand
    {
        public ConnectorAddCommand() : base("connector add", "Create a connector. Secrets come from --secret-env VAR or --secret-file FILE.", new[]
        {
            new CliOption("name", "connector name (letters, digits, . - _)"),
            new CliOption("type", "connector type: local, adcs-ces, adcs-web, adcs-dcom, digicert-one, digicert-certcentral"),
            new CliOption("domain", "domain the connector serves"),
            new CliOption("business-unit", "business unit given to imported certificates"),
            new CliOption("tag", "tag for imported certificates (repeat or comma-separate)"),
            new CliOption("priority", "1 (tried first) to 10; default 5"),
            new CliOption("import-every", "import frequency: 15m (default), 2h, 1w"),
            CliOption.Flag("no-import", "do not import on a schedule"),
            new CliOption("setting", "transport setting KEY=VALUE (repeat)"),
            new CliOption("secret-env", "environment variable holding the password or API key"),
            new CliOption("secret-file", "file holding the password or API key"),
            new CliOption("proxy-user", "account of the proxy (setting proxy) the connector goes through"),
            new CliOption("proxy-secret-env", "environment variable holding the proxy account's password"),
            new CliOption("proxy-secret-file", "file holding the proxy account's password"),
            CliOption.Flag("discover", "create adcs-ces connectors from Active Directory, one per CES endpoint (--name is then a name prefix)"),
            new CliOption("ca", "with --discover: only this enterprise CA"),
        }.Concat(AdcsDiscoverCommand.DirectoryOptions("with --discover: ")).ToArray())
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            if (cl.Has("discover")) return AddDiscovered(cl, run);
            var (every, unit) = Arguments.Frequency(cl.Get("import-every")) ?? (15, ImportFrequencyUnit.Minutes);
            var definition = new ConnectorDefinition
            {
                Name = cl.Get("name") ?? cl.Positionals.FirstOrDefault() ?? throw CommandLine.Usage("--name is required."),
                Type = cl.Require("type", "the connector type, e.g. local"),
                Domain = cl.Get("domain"),
                BusinessUnit = cl.Get("business-unit"),
                Tags = cl.All("tag"),
                Priority = cl.Int("priority", 1, 10) ?? 5,
                ImportEnabled = !cl.Has("no-import"),
                ImportEvery = every,
                ImportEveryUnit = unit,
                Settings = Arguments.Settings(cl),
            };
            var secret = cl.Secret("secret-env", "secret-file");
            var proxySecret = cl.ProxySecret();
            return run.Op(false, (ws, s) => new ConnectorOperations(ws, s).Add(definition, secret == null ? null : Encoding.UTF8.GetBytes(secret), proxySecret: proxySecret), single: true);
        }

        /// <summary>connector add --discover: adcs-ces connectors from the CES endpoints Active Directory publishes.</summary>
        private static int AddDiscovered(CommandLine cl, Invocation run)
        {
            if (cl.Get("type") is { } type && type != "adcs-ces")
                throw CommandLine.Usage("--discover creates adcs-ces connectors; leave --type out.");
            var directory = Arguments.Directory(cl);
            var secret = cl.Secret("secret-env", "secret-file");
            var create = new DiscoveredConnectorOptions
            {
                Prefix = cl.Get("name") ?? cl.Positionals.FirstOrDefault(),
                CaName = cl.Get("ca"),
                Domain = cl.Get("domain"),
                BusinessUnit = cl.Get("business-unit"),
                Settings = Arguments.Settings(cl),
                Secret = secret == null ? null : Encoding.UTF8.GetBytes(secret),
            };
            return run.Op(false, (ws, s) => new DiscoveryOperations(ws, s).CreateConnectors(directory, create));
        }
    }
}
