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

        /// <summary>Runs with --json and reads the answer; a failing run fails the test with its stderr.</summary>
        public static System.Text.Json.JsonElement Json(string home, params string[] args)
        {
            var run = Run(home, args.Concat(new[] { "--json" }).ToArray());
            if (run.Exit != 0) throw new Xunit.Sdk.XunitException($"certconnector {string.Join(" ", args)} exited {run.Exit}: {run.Err}");
            return System.Text.Json.JsonDocument.Parse(run.Out).RootElement;
        }
    }
}
