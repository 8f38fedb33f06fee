using System.Linq;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class AdcsDiscoverCommand : CliCommand
    {
        public AdcsDiscoverCommand() : base("adcs discover",
            "List the enterprise CAs Active Directory publishes: host, CA certificate, CES endpoints and templates (bound with the Kerberos ticket, or a password over LDAPS).",
            DirectoryOptions("").Concat(new[]
            {
                new CliOption("ca", "only this enterprise CA"),
                CliOption.Flag("templates", "list the certificate templates instead of the CAs"),
            }).ToArray())
        {
        }

        /// <summary>The options that find and bind to Active Directory (read by <see cref="Arguments.Directory"/>).</summary>
        /// <param name="scope">What the help says before each, e.g. "with --discover: ".</param>
        public static CliOption[] DirectoryOptions(string scope) => new[]
        {
            new CliOption("server", scope + "domain controller or domain (required off Windows)"),
            new CliOption("ldap-port", scope + "LDAP port (389, or 636 with --ldaps)"),
            CliOption.Flag("ldaps", scope + "LDAP over TLS"),
            new CliOption("bind-user", scope + "bind as this account (user@domain) instead of the Kerberos ticket"),
            new CliOption("bind-password-env", scope + "the bind account's password from this environment variable"),
            new CliOption("bind-password-file", "the same, from a file"),
        };

        public override int Run(CommandLine cl, Invocation run)
        {
            var directory = Arguments.Directory(cl);
            var caName = cl.Get("ca");
            if (!cl.Has("templates")) return run.Op(false, (ws, s) => new DiscoveryOperations(ws, s).Find(directory, caName));
            return run.Op(false, (ws, s) => new DiscoveryOperations(ws, s).FindTemplates(directory, caName));
        }
    }
}
