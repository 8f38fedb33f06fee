using System;
using System.Linq;
using PSCertConnector.Core;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Cli.Commands
{
    /// <summary>intune check: the three values an Intune PKCS profile for DigiCert PKI Platform needs, checked and normalised.</summary>
    internal sealed class IntuneCheckCommand : CliCommand
    {
        private static readonly (string Field, Func<string, string> Check)[] Checks =
        {
            ("ca-fqdn", IntuneRules.CaFqdn), ("ca-name", IntuneRules.CaName), ("profile-oid", IntuneRules.ProfileOid),
        };

        public IntuneCheckCommand() : base("intune check",
            "Check the values an Intune PKCS profile for DigiCert PKI Platform takes: the CA FQDN, the CA name and the profile OID.",
            new CliOption("ca-fqdn", "the PKI Platform host, e.g. pki-ws.symauth.com (no https://, no trailing slash)"),
            new CliOption("ca-name", "the CA name: Symantec"),
            new CliOption("profile-oid", "the certificate profile OID"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            if (!Checks.Any(c => cl.Has(c.Field))) throw CommandLine.Usage("Give --ca-fqdn, --ca-name and/or --profile-oid to check.");
            int failed = 0;
            foreach (var (field, check) in Checks.Where(c => cl.Has(c.Field)))
            {
                try { run.Out.WriteLine($"{field,-12} {check(cl.Get(field)!)}  ok"); }
                catch (PscException ex)
                {
                    run.Err.WriteLine($"error: {ex.Message} [{ex.ErrorId}]");
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }
}
