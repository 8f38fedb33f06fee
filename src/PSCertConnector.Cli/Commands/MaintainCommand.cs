using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class MaintainCommand : CliCommand
    {
        public MaintainCommand() : base("maintain",
            "Run the unattended work: imports that are due, pending orders (polled with backoff), issued orders, renewals that are due, embedded-CA CRLs, notifications. --once runs one pass (for a timer or scheduled task); --service keeps running; --install-systemd writes a service and timer.",
            CliOption.Flag("once", "one pass, then exit (the default)"),
            CliOption.Flag("service", "keep running: a pass now and every --every-minutes until stopped (systemd and Windows service aware)"),
            CliOption.Flag("install-systemd", "write certconnector-maintain.service and .timer that run 'maintain --once' for this home"),
            CliOption.Flag("user-units", "with --install-systemd: user units (~/.config/systemd/user) instead of system units"),
            new CliOption("unit-folder", "with --install-systemd: where to write the units (default /etc/systemd/system, or the user folder)"),
            new CliOption("run-as", "with --install-systemd, system units: the account the pass runs as (a member of the machine home's group)"),
            new CliOption("every-minutes", "with --service or --install-systemd: minutes between passes (default 15)"),
            new CliOption("lease-seconds", "how long a claimed import is held between two pages before another host may take it over (default 600)"),
            new CliOption("pfx-password-env", "password for PFX files renewed certificates were exported to (they get the successor)"),
            new CliOption("pfx-password-file", "the same password from a file"),
            new CliOption("post-command", "shell command run after each renewed certificate is deployed (PSC_RENEWED_* variables)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            int modes = new[] { "once", "service", "install-systemd" }.Count(cl.Has);
            if (modes > 1) throw CommandLine.Usage("Choose one of --once, --service and --install-systemd.");
            if ((cl.Has("user-units") || cl.Has("unit-folder") || cl.Has("run-as")) && !cl.Has("install-systemd")) throw CommandLine.Usage("--user-units, --unit-folder and --run-as go with --install-systemd.");
            if (cl.Has("every-minutes") && !cl.Has("service") && !cl.Has("install-systemd")) throw CommandLine.Usage("--every-minutes goes with --service or --install-systemd.");
            var every = TimeSpan.FromMinutes(cl.Int("every-minutes", 1, 1440) ?? 15);
            if (cl.Has("install-systemd")) return Install(cl, run, every);
            var options = new MaintenanceOptions
            {
                ImportLease = TimeSpan.FromSeconds(cl.Int("lease-seconds", 1, 86_400) ?? 600),
                Renewal = new RenewOptions { PfxPassword = cl.Secret("pfx-password-env", "pfx-password-file"), PostRenewalCommand = cl.Get("post-command") },
            };
            if (cl.Has("service")) return Serve(options, every, run);
            return run.Op(false, (ws, s) =>
            {
                // Started by systemd with its output in the journal (JOURNAL_STREAM): each event goes there too, with its
                // priority as the journal reads it from a line's "<N>" prefix, so journalctl -p warning finds the failures.
                if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 })
                    ws.Events.Written += e => run.Err.WriteLine($"<{(e.Level == Core.Events.EventLevel.Error ? 3 : e.Level == Core.Events.EventLevel.Warning ? 4 : 6)}>{e.Id} {e.Log}: {e.Message}");
                new MaintenanceOperation(ws, s).RunOnce(options);
            }, single: true);
        }

        private static int Install(CommandLine cl, Invocation run, TimeSpan every)
        {
            bool user = cl.Has("user-units");
            var folder = cl.Get("unit-folder") ?? SystemdUnits.DefaultFolder(user);
            var home = PscHome.Resolve();
            var program = ThisProgram();
            if (cl.Has("pfx-password-env"))
                throw CommandLine.Usage("A unit's environment can be read by every account: give the PFX password to the units with --pfx-password-file (mode 0600, readable by the --run-as account).");
            var pass = new List<string>();
            if (cl.Get("pfx-password-file") is string pfx) { pass.Add("--pfx-password-file"); pass.Add(Path.GetFullPath(pfx)); }
            if (cl.Get("post-command") is string post) { pass.Add("--post-command"); pass.Add(post); }
            var scope = Directory.Exists(home) ? HomeScope.Of(home) : HomeScope.User;
            if (!user && HomeScope.WarningForOtherAccounts(home) is { } warning) run.Err.WriteLine("warning: " + warning);
            if (cl.Has("what-if"))
            {
                run.Err.WriteLine($"What if: would write {SystemdUnits.UnitName}.service and .timer to '{folder}' (a pass every {every.TotalMinutes:0} minutes for the home '{home}').");
                return 0;
            }
            var written = SystemdUnits.Write(folder, program, home, every, user, cl.Get("run-as"), scope.Machine ? scope.Group : null, pass);
            foreach (var path in written) run.Out.WriteLine(path);
            var systemctl = user ? "systemctl --user" : "systemctl";
            run.Err.WriteLine($"Enable the timer with: {systemctl} daemon-reload && {systemctl} enable --now {SystemdUnits.UnitName}.timer");
            if (user) run.Err.WriteLine("For user units to run while you are logged out: loginctl enable-linger");
            return 0;
        }

        /// <summary>How this program is started again: its apphost, or dotnet and certconnector.dll (whatever the host process is).</summary>
        private static IReadOnlyList<string> ThisProgram()
        {
            var process = Environment.ProcessPath ?? "certconnector";
            var assembly = typeof(MaintainCommand).Assembly.Location;
            return Path.GetFileNameWithoutExtension(process).Equals("certconnector", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(assembly)
                ? new[] { process }
                : new[] { Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? process : "dotnet", assembly };
        }

        private static int Serve(MaintenanceOptions options, TimeSpan every, Invocation run)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = Array.Empty<string>() });
            builder.Services.AddSystemd();
            builder.Services.AddWindowsService(o => o.ServiceName = "certconnector-maintain");
            // The host's own loggers: under systemd the console speaks the journal's priorities (AddSystemd), and as a Windows
            // service the events also reach the Application event log (AddWindowsService's event log source).
            builder.Services.AddSingleton(sp => new MaintenanceService(options, every, run.Err, sp.GetRequiredService<ILogger<MaintenanceService>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<MaintenanceService>());
            using var host = builder.Build();
            host.RunAsync(run.Cancel).GetAwaiter().GetResult();
            return 0;
        }
    }
}
