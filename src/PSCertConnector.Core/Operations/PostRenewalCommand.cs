using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// The command a renewal runs once the successor is in place (reload a service): through the shell (/bin/sh -c, or
    /// cmd /c on Windows), with the renewal in environment variables, bounded in time. A non-zero exit is an error for
    /// that renewal; its output goes to the verbose stream.
    /// </summary>
    public static class PostRenewalCommand
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

        public static void Run(string commandLine, RenewalResult renewal, CancellationToken cancellation)
        {
            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var start = new ProcessStartInfo(windows ? "cmd.exe" : "/bin/sh")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Arguments = windows ? "/d /c " + commandLine : "-c \"" + commandLine.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            start.Environment["PSC_RENEWED_THUMBPRINT"] = renewal.Thumbprint ?? "";
            start.Environment["PSC_RENEWED_SERIAL"] = renewal.SerialNumber ?? "";
            start.Environment["PSC_RENEWED_OLD_THUMBPRINT"] = renewal.Renews;
            start.Environment["PSC_RENEWED_SUBJECT"] = renewal.Subject;
            start.Environment["PSC_RENEWED_FILES"] = string.Join(System.IO.Path.PathSeparator.ToString(), renewal.DeployedTo);
            using var process = Process.Start(start)
                ?? throw new PscException("PostRenewalCommandFailed", FailureCategory.InvalidOperation, "The post-renewal command could not be started.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + Timeout;
            while (!process.WaitForExit(200))
            {
                if (cancellation.IsCancellationRequested || DateTime.UtcNow > deadline)
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    cancellation.ThrowIfCancellationRequested();
                    throw new PscException("PostRenewalCommandFailed", FailureCategory.OperationTimeout,
                        $"The post-renewal command did not finish within {Timeout.TotalMinutes:0} minutes and was stopped.");
                }
            }
            if (process.ExitCode != 0)
                throw new PscException("PostRenewalCommandFailed", FailureCategory.InvalidOperation,
                    $"The post-renewal command exited with code {process.ExitCode}: {DisplayText.Escape(errors.Result.Trim(), 300)}");
            output.Wait();
        }
    }
}
