using System.Diagnostics;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>Runs the openssl command line: the independent peer that checks what we produce.</summary>
    internal static class OpenSsl
    {
        public static (int ExitCode, string Output) Run(string arguments, string? workingDirectory = null, string? stdin = null)
        {
            var start = new ProcessStartInfo("openssl", arguments) { WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
            return ProcessRunner.Run(start, TimeSpan.FromSeconds(60), stdin);
        }

        public static string Ok(string arguments, string? workingDirectory = null)
        {
            var (code, output) = Run(arguments, workingDirectory);
            if (code != 0) throw new InvalidOperationException($"openssl {arguments} failed ({code}): {output}");
            return output;
        }
    }
}
