using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class StoreRotateKeyCommand : CliCommand
    {
        public StoreRotateKeyCommand() : base("store rotate-key", "Re-protect every secret of the shared store with a new key file, in one transaction; then point every host at the new file.",
            new CliOption("new-key-file", "the new key (from certconnector store new-key)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var path = cl.Get("new-key-file") ?? throw CommandLine.Usage("Give --new-key-file FILE.");
            return run.Op(true, (ws, s) => new StoreOperations(ws, s).RotateKey(path));
        }
    }
}
