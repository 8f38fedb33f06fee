using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class StoreNewKeyCommand : CliCommand
    {
        public StoreNewKeyCommand() : base("store new-key", "Write a new shared secret key (64 random bytes, owner-only) for a store several hosts share; copy it to each host.",
            new CliOption("out", "the key file to create (it must not exist)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var path = cl.Get("out") ?? throw CommandLine.Usage("Give --out FILE for the new key.");
            return run.Op(false, (ws, s) => new StoreOperations(ws, s).NewKey(path), anySchemaVersion: true);
        }
    }
}
