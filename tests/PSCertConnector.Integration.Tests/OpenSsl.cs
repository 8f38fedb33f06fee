using System.Diagnostics;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>Runs the openssl command line: the independent peer that checks what we produce.</summary>
    internal static class OpenSsl
    {
        public static (int ExitCode, string Output) Run(string arguments, string? workingDirectory = null, string? stdin = null)
        {
            var start = new ProcessStartInfo("openssl", arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = stdin != null,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
            if (stdin != null)
            {
                process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(true);
                throw new TimeoutException("openssl " + arguments + " did not finish in 60 s");
            }
            return (process.ExitCode, stdout.Result + stderr.Result);
        }

        public static string Ok(string arguments, string? workingDirectory = null)
        {
            var (code, output) = Run(arguments, workingDirectory);
            if (code != 0) throw new InvalidOperationException($"openssl {arguments} failed ({code}): {output}");
            return output;
        }
    }
}
