using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// Runs an administrator's command line through the shell (/bin/sh -c, or cmd /c on Windows), with values in
    /// environment variables and optional standard input, bounded in time. A non-zero exit, a timeout or a command
    /// that cannot start is a <see cref="PscException"/> with the caller's error id; the command's own error output
    /// is quoted (escaped and shortened) so the administrator sees why.
    /// </summary>
    public static class ShellCommand
    {
        public static void Run(string commandLine, IReadOnlyDictionary<string, string> environment, string? standardInput,
            TimeSpan timeout, string errorId, string what, CancellationToken cancellation)
        {
            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var start = new ProcessStartInfo(windows ? "cmd.exe" : "/bin/sh")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = standardInput != null,
            };
            start.Arguments = windows ? "/d /c " + commandLine : "-c \"" + commandLine.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            foreach (var pair in environment) start.Environment[pair.Key] = pair.Value;
            using var process = Process.Start(start)
                ?? throw new PscException(errorId, FailureCategory.InvalidOperation, $"The {what} could not be started.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (standardInput != null)
            {
                // A command that does not read its input closes the pipe early; that is its choice, not a failure.
                try { process.StandardInput.Write(standardInput); process.StandardInput.Close(); }
                catch (System.IO.IOException) { }
            }
            var deadline = DateTime.UtcNow + timeout;
            while (!process.WaitForExit(200))
            {
                if (cancellation.IsCancellationRequested || DateTime.UtcNow > deadline)
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    cancellation.ThrowIfCancellationRequested();
                    throw new PscException(errorId, FailureCategory.OperationTimeout,
                        $"The {what} did not finish within {timeout.TotalMinutes:0.#} minutes and was stopped.");
                }
            }
            if (process.ExitCode != 0)
                throw new PscException(errorId, FailureCategory.InvalidOperation,
                    $"The {what} exited with code {process.ExitCode}: {DisplayText.Escape(errors.Result.Trim(), 300)}");
            output.Wait();
        }
    }
}
