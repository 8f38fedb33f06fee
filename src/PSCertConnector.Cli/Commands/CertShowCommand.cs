using System.Linq;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class CertShowCommand : CliCommand
    {
        public CertShowCommand() : base("cert show", "Show one certificate: certconnector cert show SERIAL|THUMBPRINT.",
            new CliOption("connector", "when a serial is known for several CAs"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var selector = Arguments.Certificate(cl, cl.Positionals.FirstOrDefault());
            return run.Op(false, (ws, s) =>
            {
                var operations = new InventoryOperations(ws, s);
                try { s.WriteObject(operations.Find(selector)); }
                catch (PscException ex) { s.WriteError(ex); }
            }, single: true, render: run.JsonOr(sink =>
            {
                foreach (var c in sink.Objects.OfType<CertificateRecord>())
                {
                    void Line(string label, object? value) => run.Out.WriteLine($"{label,-18} {value}");
                    Line("Subject", c.Subject);
                    Line("SANs", string.Join(", ", c.SubjectAlternativeNames));
                    Line("Issuer", c.Issuer);
                    Line("Serial", c.SerialNumber);
                    Line("Thumbprint", c.Thumbprint);
                    Line("Thumbprint SHA256", c.ThumbprintSha256);
                    Line("Valid", $"{Views.Date(c.NotBefore)} to {Views.Date(c.NotAfter)} ({c.DaysToExpiry} days left)");
                    Line("Status", c.Status == CertificateStatus.Revoked ? $"Revoked {Views.Date(c.RevokedAt)} ({c.RevocationReason})" : c.Status.ToString());
                    Line("Template", c.Template);
                    Line("Connector", c.Connector);
                    Line("Business unit", c.BusinessUnit);
                    Line("Tags", string.Join(", ", c.Tags));
                    Line("Source", c.Source);
                    Line("Private key", c.HasPrivateKey ? "kept (protected)" : "not held here");
                }
            }));
        }
    }
}
