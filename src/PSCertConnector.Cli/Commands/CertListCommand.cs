using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class CertListCommand : CliCommand
    {
        public CertListCommand() : base("cert list", "Query the inventory.",
            new CliOption("connector", ""),
            new CliOption("status", "valid, expired, revoked"),
            new CliOption("expiring-within", "days"),
            new CliOption("name", "wildcard on subject and SANs"),
            new CliOption("tag", ""),
            new CliOption("business-unit", ""),
            new CliOption("template", ""),
            new CliOption("serial", ""),
            new CliOption("thumbprint", ""),
            CliOption.Flag("needs-renewal", "only certificates due for renewal and not renewed (policy: connector settings renewBeforeDays, renewAtPercent; default 30 days or 20% of the lifetime, whichever is earlier)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var query = new CertificateQuery
            {
                Connector = cl.Get("connector"),
                Status = cl.Enum<CertificateStatus>("status"),
                ExpiringWithinDays = cl.Int("expiring-within", 0, 36500),
                Name = cl.Get("name"),
                Tag = cl.Get("tag"),
                BusinessUnit = cl.Get("business-unit"),
                Template = cl.Get("template"),
                SerialNumber = cl.Get("serial"),
                Thumbprint = cl.Get("thumbprint"),
                NeedsRenewal = cl.Has("needs-renewal"),
            };
            return run.Op(false, (ws, s) => new InventoryOperations(ws, s).Query(query));
        }
    }
}
