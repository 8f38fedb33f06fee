// Why a hand-written registry and not System.CommandLine 2.0: certconnector's output is a contract scripts and tests
// rely on: one stderr line "error: <message> [Usage]" with exit 2, these exact messages ("--x needs a value.",
// "'cmd' does not take --y.", "--z was given 2 times; give it once."), this help layout, repeated and comma-separated
// options, --opt=value, options before the command's words. System.CommandLine writes its own parse errors (several,
// localized), help and usage lines; keeping ours would mean replacing its validation, help and error actions and using
// only its tokenizer, which this small parser (CommandLine) already is. So the commands are plain objects listed here.
using System;
using System.Collections.Generic;
using System.Linq;

namespace PSCertConnector.Cli.Commands
{
    /// <summary>Every certconnector command, in the order the overview lists them; dispatch, help and option checks come from this list.</summary>
    internal static class CommandRegistry
    {
        /// <summary>Options every command takes (Invocation reads them).</summary>
        public static readonly IReadOnlyList<CliOption> Global = new[]
        {
            CliOption.Flag("json"), CliOption.Flag("verbose"), CliOption.Flag("what-if"), CliOption.Flag("yes"), new CliOption("home", ""), CliOption.Flag("help"),
        };

        public static readonly IReadOnlyList<CliCommand> All = new CliCommand[]
        {
            new ConnectorAddCommand(),
            new AdcsDiscoverCommand(),
            new ConnectorListCommand(),
            new ConnectorShowCommand(),
            new ConnectorSetCommand(),
            new ConnectorServicesCommand(),
            new ConnectorTestCommand(),
            new ConnectorRemoveCommand(),
            new TemplateListCommand(),
            new RequestNewCommand(),
            new SubmitCommand(),
            new OrderListCommand(),
            new OrderRefreshCommand(),
            new OrderFetchCommand(),
            new OrderRemoveCommand(),
            new OrderApproveCommand(),
            new OrderDenyCommand(),
            new ImportCommand(),
            new CertListCommand(),
            new CertShowCommand(),
            new CertExportCommand(),
            new RevocationListCommand(),
            new PfxNewCommand(),
            new PfxReencryptCommand(),
            new RenewCommand(),
            new RevokeCommand(),
            new CrlShowCommand(),
            new HomeCreateCommand(),
            new ConfigExportCommand(),
            new ConfigImportCommand(),
            new MaintainCommand(),
            new EventsCommand(),
            new NotifyAddCommand(),
            new NotifyListCommand(),
            new NotifyTestCommand(),
            new NotifyRemoveCommand(),
            new StoreStatusCommand(),
            new StoreMigrateCommand(),
            new StoreSetCommand(),
            new StoreNewKeyCommand(),
            new StoreRotateKeyCommand(),
            new LabServeCommand(),
            new IntuneCheckCommand(),
            new DemoCommand(),
        };

        /// <summary>The first words that take a second ("connector" of "connector add").</summary>
        public static readonly IReadOnlySet<string> TwoWordGroups =
            All.Where(c => c.Name.Contains(' ')).Select(c => c.Name.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);

        /// <summary>Options that take no value, whichever command declares them (the parser reads options before it knows the command).</summary>
        public static readonly IReadOnlySet<string> Flags =
            All.SelectMany(c => c.Options).Concat(Global).Where(o => o.IsFlag).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        public static CliCommand? Find(string name) => All.FirstOrDefault(c => c.Name == name);
    }
}
