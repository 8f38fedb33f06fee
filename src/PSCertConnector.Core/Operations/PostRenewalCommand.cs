using System;
using System.Collections.Generic;
using System.Threading;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// The command a renewal runs once the successor is in place (reload a service), with the renewal in environment
    /// variables. A non-zero exit is an error for that renewal.
    /// </summary>
    public static class PostRenewalCommand
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

        public static void Run(string commandLine, RenewalResult renewal, CancellationToken cancellation) =>
            ShellCommand.Run(commandLine, new Dictionary<string, string>
            {
                ["PSC_RENEWED_THUMBPRINT"] = renewal.Thumbprint ?? "",
                ["PSC_RENEWED_SERIAL"] = renewal.SerialNumber ?? "",
                ["PSC_RENEWED_OLD_THUMBPRINT"] = renewal.Renews,
                ["PSC_RENEWED_SUBJECT"] = renewal.Subject,
                ["PSC_RENEWED_FILES"] = string.Join(System.IO.Path.PathSeparator.ToString(), renewal.DeployedTo),
            }, null, Timeout, "PostRenewalCommandFailed", "post-renewal command", cancellation);
    }
}
