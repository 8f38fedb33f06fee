using System;
using System.Diagnostics;
using System.Globalization;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// Names the process doing a piece of work ("host/pid/start"), so another process can tell work that is still
    /// going on from work whose process was killed. The start time guards against a reused process id.
    /// </summary>
    internal static class ProcessIdentity
    {
        /// <summary>Work recorded by a process on another host counts as abandoned after this long (its process cannot be checked from here).</summary>
        public static readonly TimeSpan OtherHostTimeout = TimeSpan.FromHours(1);

        private static readonly Lazy<string> CurrentIdentity = new Lazy<string>(() =>
        {
            using var self = Process.GetCurrentProcess();
            return Describe(Environment.MachineName, self.Id, self.StartTime);
        });

        public static string Current => CurrentIdentity.Value;

        private static string Describe(string host, int pid, DateTime start) =>
            host + "/" + pid.ToString(CultureInfo.InvariantCulture) + "/" + start.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// True when the process named is certainly gone: on this host its id is free or belongs to a later process;
        /// on another host, the work is older than <see cref="OtherHostTimeout"/>. Unrecognised text counts as gone.
        /// </summary>
        public static bool IsGone(string? identity, DateTimeOffset recordedAt)
        {
            var parts = (identity ?? "").Split('/');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                return true;
            if (!parts[0].Equals(Environment.MachineName, StringComparison.OrdinalIgnoreCase))
                return DateTimeOffset.UtcNow - recordedAt > OtherHostTimeout;
            if (identity == Current) return false;
            try
            {
                using var process = Process.GetProcessById(pid);
                return process.HasExited || process.StartTime.ToUniversalTime().Ticks != ticks;
            }
            catch (ArgumentException) { return true; }          // no process with that id
            catch (InvalidOperationException) { return true; }  // it exited while we looked
            catch (System.ComponentModel.Win32Exception) { return false; } // exists, but we may not look at it
        }
    }
}
