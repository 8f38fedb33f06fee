using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using PSCertConnector.Core;

namespace PSCertConnector.Cli
{
    /// <summary>
    /// What certconnector and certconnector-lab share as processes: the signals that stop them in order, and failures as
    /// one line on stderr with an exit code scripts can test. certconnector-lab compiles this file in.
    /// </summary>
    internal static class CommandHost
    {
        /// <summary>
        /// Service managers, CI and containers stop a process with SIGTERM, a closing terminal sends SIGHUP, and a shell
        /// leaves SIGINT ignored for background jobs: each is the same orderly stop as Ctrl+C.
        /// </summary>
        public static IDisposable CancelOnStopSignals(CancellationTokenSource stop)
        {
            Action<PosixSignalContext> orderly = context =>
            {
                context.Cancel = true;
                stop.Cancel();
            };
            var registrations = new[]
            {
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, orderly),
                PosixSignalRegistration.Create(PosixSignal.SIGHUP, orderly),
                PosixSignalRegistration.Create(PosixSignal.SIGINT, orderly),
            };
            return new Registrations(registrations);
        }

        /// <summary>Runs a command; every failure is "error: message [ErrorId]" on stderr, exit 2 for usage, 130 when stopped, else 1.</summary>
        public static int Run(Func<int> command, TextWriter stderr)
        {
            try
            {
                return command();
            }
            catch (PscException ex)
            {
                stderr.WriteLine($"error: {ex.Message} [{ex.ErrorId}]");
                return ex.ErrorId == "Usage" ? 2 : 1;
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine("error: cancelled; what was stored before stays stored. [OperationStopped]");
                return 130;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException
                                       or System.Data.Common.DbException or InvalidOperationException or ArgumentException or FormatException)
            {
                // Anything not already turned into a PscException: still one line, never a stack trace.
                stderr.WriteLine($"error: {ex.Message} [Unexpected{ex.GetType().Name}]");
                return 1;
            }
        }

        private sealed class Registrations : IDisposable
        {
            private readonly IDisposable[] _all;
            public Registrations(IDisposable[] all) => _all = all;
            public void Dispose()
            {
                foreach (var registration in _all) registration.Dispose();
            }
        }
    }
}
