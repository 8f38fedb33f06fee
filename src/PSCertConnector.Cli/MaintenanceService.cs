using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli
{
    /// <summary>
    /// certconnector maintain --service: runs a maintenance pass at once and then every interval until the host stops
    /// (SIGTERM, Ctrl+C, the Windows service manager). Every event the pass writes is also logged, so under systemd it
    /// reaches the journal with its priority; a pass that fails is logged and the next one runs on time.
    /// </summary>
    internal sealed class MaintenanceService : BackgroundService
    {
        private readonly MaintenanceOptions _options;
        private readonly TimeSpan _every;
        private readonly TextWriter _err;
        private readonly ILogger<MaintenanceService> _log;

        public MaintenanceService(MaintenanceOptions options, TimeSpan every, TextWriter err, ILogger<MaintenanceService> log)
        {
            _options = options;
            _every = every;
            _err = err;
            _log = log;
        }

        public int Passes { get; private set; }

        protected override async Task ExecuteAsync(CancellationToken stopping)
        {
            Log(EventIds.ServiceStarted, EventChannel.Admin, $"The maintenance service started on {Environment.MachineName}: a pass every {_every.TotalMinutes:0.#} minutes.");
            try
            {
                while (!stopping.IsCancellationRequested)
                {
                    RunPass(stopping);
                    try { await Task.Delay(_every, stopping).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
                }
            }
            finally { Log(EventIds.ServiceStopped, EventChannel.Admin, $"The maintenance service stopped after {Passes} passes."); }
        }

        private void RunPass(CancellationToken stopping)
        {
            var sink = new CliSink(_err, verbose: false, whatIf: false, confirmed: true, destructive: false, interactiveInput: null, stopping);
            try
            {
                using var workspace = Workspace.Open();
                workspace.Events.Written += Echo;
                try { new MaintenanceOperation(workspace, sink).RunOnce(_options); }
                finally { workspace.Events.Written -= Echo; }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
            catch (Core.PscException ex) { _log.LogError("The maintenance pass failed [{ErrorId}]: {Message}", ex.ErrorId, ex.Message); }
            catch (Exception ex)
            {
                // A store that is away for a moment (a PostgreSQL failover) must not end unattended work: the next pass runs on time.
                _log.LogError("The maintenance pass failed: {Message}", Core.DisplayText.Escape(ex.Message, 300));
                Log(EventIds.MaintenancePassFailed, EventChannel.Admin, "The maintenance pass failed: " + Core.DisplayText.Escape(ex.Message, 300));
            }
            Passes++;
        }

        private void Echo(CaEvent e) => _log.Log(e.Level switch { EventLevel.Error => LogLevel.Error, EventLevel.Warning => LogLevel.Warning, _ => LogLevel.Information },
            new EventId(e.Id, e.Area), "{Log} {Id} {Message}", e.Log, e.Id, e.Message);

        private void Log(int id, EventChannel log, string message)
        {
            try
            {
                using var workspace = Workspace.Open();
                workspace.Events.Written += Echo;
                workspace.Events.Write(id, log, message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException) { _log.LogError("{Message} (the event log could not be opened: {Error})", message, ex.Message); }
        }
    }
}
