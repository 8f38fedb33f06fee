using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// The systemd units that run the maintenance pass on a timer: a oneshot service whose ExecStart is the pass
    /// (certconnector maintain --once for this home) and a timer that starts it every few minutes, catching up after
    /// the machine was off. System units go to /etc/systemd/system, user units to ~/.config/systemd/user.
    /// </summary>
    public static class SystemdUnits
    {
        public const string UnitName = "certconnector-maintain";

        public static string DefaultFolder(bool user) => user
            ? Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } config ? config
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "systemd", "user")
            : "/etc/systemd/system";

        /// <summary>The service's ExecStart: the program and its arguments, each quoted as systemd reads them.</summary>
        public static string ExecStart(IReadOnlyList<string> program) => string.Join(" ", program.Select(Quote));

        /// <param name="runAs">System units: the account the pass runs as (User=); a member of a machine home's group.</param>
        /// <param name="group">A machine home's group, added to the account's groups for the pass.</param>
        /// <param name="passArguments">More arguments of the pass (--pfx-password-file F, --post-command C).</param>
        public static (string Service, string Timer) Render(IReadOnlyList<string> program, string home, TimeSpan every, bool user,
            string? runAs = null, string? group = null, IReadOnlyList<string>? passArguments = null)
        {
            if (!user && string.IsNullOrWhiteSpace(runAs))
                throw new PscException("RunAsRequired", FailureCategory.InvalidArgument,
                    "A system unit runs the pass as the account --run-as names (a member of the machine home's group); give --run-as root only if the pass should run as root, which also runs the command notification rules as root.");
            if (every < TimeSpan.FromMinutes(1) || every > TimeSpan.FromDays(1))
                throw new PscException("InvalidInterval", FailureCategory.InvalidArgument, $"The interval {every} should be between 1 minute and 1 day.");
            var service = new StringBuilder()
                .AppendLine("# Written by certconnector maintain --install-systemd. One maintenance pass: due imports, pending orders,")
                .AppendLine("# renewals, CRLs, notifications. Its events are in the home's logs/events.jsonl and in the journal.")
                .AppendLine("[Unit]")
                .AppendLine("Description=PSCertConnector maintenance pass")
                .AppendLine("Wants=network-online.target")
                .AppendLine("After=network-online.target")
                .AppendLine()
                .AppendLine("[Service]")
                .AppendLine("Type=oneshot")
                .AppendLine("Environment=" + Quote(PscHome.EnvironmentVariable + "=" + home))
                .AppendLine(user ? "" : "User=" + Quote(runAs!))
                .AppendLine(user || group == null ? "" : "SupplementaryGroups=" + Quote(group))
                .AppendLine("ExecStart=" + ExecStart(program.Concat(new[] { "maintain", "--once" }).Concat(passArguments ?? Array.Empty<string>()).ToList()))
                .AppendLine("TimeoutStartSec=1h")
                .AppendLine(user || group != null ? "" : "UMask=0077")
                .ToString();
            var minutes = ((int)every.TotalMinutes).ToString(CultureInfo.InvariantCulture);
            var timer = new StringBuilder()
                .AppendLine("# Written by certconnector maintain --install-systemd.")
                .AppendLine("[Unit]")
                .AppendLine($"Description=PSCertConnector maintenance pass every {minutes} minutes")
                .AppendLine()
                .AppendLine("[Timer]")
                .AppendLine("OnBootSec=2min")
                .AppendLine($"OnUnitActiveSec={minutes}min")
                .AppendLine("RandomizedDelaySec=30s")
                .AppendLine("Persistent=true")
                .AppendLine()
                .AppendLine("[Install]")
                .AppendLine("WantedBy=timers.target")
                .ToString();
            return (service, timer);
        }

        /// <summary>Writes both units (each atomically); returns their paths.</summary>
        public static IReadOnlyList<string> Write(string folder, IReadOnlyList<string> program, string home, TimeSpan every, bool user,
            string? runAs = null, string? group = null, IReadOnlyList<string>? passArguments = null)
        {
            var (service, timer) = Render(program, home, every, user, runAs, group, passArguments);
            Directory.CreateDirectory(folder);
            var written = new List<string>();
            foreach (var (name, text) in new[] { (UnitName + ".service", service), (UnitName + ".timer", timer) })
            {
                var path = Path.Combine(folder, name);
                AtomicFile.Write(path, Encoding.UTF8.GetBytes(text));
                written.Add(path);
            }
            return written;
        }

        /// <summary>systemd's quoting: double quotes, with backslash, quote and the specifier sign escaped.</summary>
        private static string Quote(string word) =>
            word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "/._-=:+,@".IndexOf(c) >= 0) ? word.Replace("%", "%%")
                : "\"" + word.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("%", "%%") + "\"";
    }
}
