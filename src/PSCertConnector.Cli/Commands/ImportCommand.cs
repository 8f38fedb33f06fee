using PSCertConnector.Core.Connectors;
using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class ImportCommand : CliCommand
    {
        public ImportCommand() : base("import", "Import a CA's issued and revoked certificates into the inventory, from the last watermark (or --full).",
            new CliOption("connector", "connector name (or give names as arguments; --all for every connector with import on)"),
            CliOption.Flag("all", ""),
            CliOption.Flag("due", "every connector whose import is due by its frequency, each under a lease (hosts sharing a store split the work)"),
            new CliOption("lease-seconds", "with --due: how long a claimed import is held between two pages before another host may take it over (default 600)"),
            CliOption.Flag("full", "start from the beginning instead of the watermark"),
            new CliOption("business-unit", "business unit for what is imported"),
            new CliOption("tag", "tag for what is imported (repeat)"),
            new CliOption("batch-size", "rows per page and transaction (default 500)"),
            new CliOption("template", "this run imports only these templates (names or OIDs; repeat or comma-separate), instead of the connector's importTemplates"),
            new CliOption("status", "this run imports only these states: issued, revoked, expired"),
            new CliOption("issued-after", "this run imports only certificates issued on or after this date (yyyy-MM-dd)"),
            new CliOption("subject", "this run imports only subjects or common names matching this wildcard (repeat)"),
            new CliOption("san", "this run imports only certificates with a SAN matching this wildcard (repeat or comma-separate)"),
            new CliOption("requester", "this run imports only certificates requested by these accounts (wildcards; AD CS DCOM)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var names = new List<string>(cl.Positionals);
            if (cl.Get("connector") is string one) names.Add(one);
            bool all = cl.Has("all"), due = cl.Has("due");
            if (names.Count == 0 && !all && !due) throw CommandLine.Usage("Name the connector (--connector NAME), or use --all or --due.");
            if (due && (all || names.Count > 0)) throw CommandLine.Usage("--due chooses the connectors itself; give no names and no --all with it.");
            if (cl.Has("lease-seconds") && !due) throw CommandLine.Usage("--lease-seconds goes with --due.");
            var lease = TimeSpan.FromSeconds(cl.Int("lease-seconds", 1, 86_400) ?? 600);
            var options = new ImportOptions
            {
                Mode = cl.Has("full") ? ImportMode.Full : ImportMode.Incremental,
                BusinessUnit = cl.Get("business-unit"),
                Tags = cl.All("tag"),
                BatchSize = cl.Int("batch-size", 1, 100_000) ?? 500,
                Selection = new ImportSelection
                {
                    Templates = cl.All("template"),
                    Statuses = cl.All("status").Select(s => ImportSelection.ParseStatus(s, "--status")).ToList(),
                    IssuedAfter = cl.Get("issued-after") is { } after ? ImportSelection.ParseDate(after, "--issued-after") : null,
                    Subjects = cl.AllRaw("subject"),
                    Sans = cl.All("san"),
                    Requesters = cl.All("requester"),
                },
            };
            return run.Op(false, (ws, s) =>
            {
                if (due)
                {
                    new ImportOperation(ws, s).ImportDue(options, lease);
                    return;
                }
                var targets = all ? ws.Store.ListConnectors().Where(c => c.ImportEnabled).Select(c => c.Name).ToList() : names;
                new ImportOperation(ws, s).Import(targets, options);
            });
        }
    }
}
