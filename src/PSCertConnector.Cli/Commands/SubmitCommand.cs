using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class SubmitCommand : CliCommand
    {
        public SubmitCommand() : base("submit",
            "Submit a request to a connector; the order is tracked in the inventory (recorded before the CA is contacted, so a killed run is settled, not resubmitted; the same request again returns its order).",
            new CliOption("connector", "connector name"),
            new CliOption("template", "template (default: the request's CertificateTemplate attribute)"),
            new CliOption("csr", "CSR file, PEM or DER"),
            new CliOption("attribute", "extra request attribute NAME:VALUE (repeat)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var connector = cl.Require("connector", "the connector to submit to");
            var csrPath = cl.Get("csr") ?? cl.Positionals.FirstOrDefault() ?? throw CommandLine.Usage("--csr is required (the request file).");
            var template = cl.Get("template");
            var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in cl.AllRaw("attribute"))
            {
                int colon = pair.IndexOf(':');
                if (colon <= 0) throw CommandLine.Usage($"--attribute '{pair}' should be NAME:VALUE (e.g. SAN:dns=www.contoso.com).");
                attributes[pair.Substring(0, colon)] = pair.Substring(colon + 1);
            }
            var csr = Arguments.ReadFile(csrPath, "request file");
            return run.Op(false, (ws, s) => new OrderOperations(ws, s).Submit(connector, template, csr, attributes), single: true);
        }
    }
}
