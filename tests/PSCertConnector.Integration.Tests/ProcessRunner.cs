using System.Diagnostics;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>Runs a real program for a test: optional stdin, stdout and stderr together, a bounded wait.</summary>
    internal static class ProcessRunner
    {
        public static (int ExitCode, string Output) Run(ProcessStartInfo start, TimeSpan timeout, string? stdin = null)
        {
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.RedirectStandardInput = stdin != null;
            start.UseShellExecute = false;
            using var process = Process.Start(start) ?? throw new InvalidOperationException(start.FileName + " did not start");
            if (stdin != null)
            {
                process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                process.Kill(true);
                throw new TimeoutException($"{start.FileName} {start.Arguments}{string.Join(" ", start.ArgumentList)} did not finish in {timeout.TotalSeconds:0} s");
            }
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
