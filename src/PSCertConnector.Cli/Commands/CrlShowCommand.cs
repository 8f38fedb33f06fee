using System.IO;
using System.Linq;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class CrlShowCommand : CliCommand
    {
        public CrlShowCommand() : base("crl show", "Show a connector's CRL and its entries.",
            new CliOption("connector", ""),
            new CliOption("out", "write the CRL (DER) to this file"),
            CliOption.Flag("publish", "publish a new CRL first (embedded CA)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var connector = Arguments.Connector(cl);
            var outPath = cl.Get("out");
            bool publish = cl.Has("publish");
            return run.Op(false, (ws, s) =>
            {
                var report = new CrlOperations(ws, s).Show(connector, publish);
                if (report != null && outPath != null && s.ShouldProcess(Path.GetFullPath(outPath), "Write file")) Arguments.WriteFile(outPath, report.Der);
            }, single: true, render: run.JsonOr(sink =>
            {
                foreach (var r in sink.Objects.OfType<CrlReport>()) Write(run.Out, r, outPath);
            }));
        }

        internal static void Write(TextWriter output, CrlReport r, string? outPath)
        {
            output.WriteLine($"CRL #{r.CrlNumber} of {r.Issuer}");
            output.WriteLine($"  this update {Views.Date(r.ThisUpdate)}, next update {Views.Date(r.NextUpdate)}, signature {(r.SignatureValid == true ? "valid" : r.SignatureValid == false ? "INVALID" : "not checked")}");
            output.WriteLine($"  {r.Entries.Count} revoked certificate(s)");
            foreach (var e in r.Entries)
                output.WriteLine($"    {e.SerialNumber}  {Views.Date(e.RevokedAt)}  {e.Reason?.ToString() ?? "(no reason)"}");
            if (outPath != null) output.WriteLine($"  written to {Path.GetFullPath(outPath)}");
        }
    }
}
