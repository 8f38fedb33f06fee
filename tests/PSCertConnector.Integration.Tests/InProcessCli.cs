using PSCertConnector.Cli;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>certconnector as the tests call it: in-process, against one home folder, its output captured.</summary>
    internal static class InProcessCli
    {
        public static (int Exit, string Out, string Err) Run(string home, params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = Program.Run(args.Concat(new[] { "--home", home }).ToArray(), stdout, stderr, interactiveInput: null);
            return (exit, stdout.ToString(), stderr.ToString());
        }
    }
}
