using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Security;
using Xunit;

namespace PSCertConnector.PowerShell.Tests
{
    /// <summary>
    /// A PowerShell 7.6 runspace in this process with the built module imported from output/, as Import-Module does for a
    /// user. Each test gets a fresh runspace and an empty home folder of its own.
    /// </summary>
    public sealed class HostedModule : IDisposable
    {
        private readonly Runspace _runspace;
        private readonly string _previousHome;

        public HostedModule()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PSCertConnector.sln"))) dir = dir.Parent;
            var root = dir?.FullName ?? throw new InvalidOperationException("PSCertConnector.sln not found above " + AppContext.BaseDirectory);
            var versions = Directory.GetDirectories(Path.Combine(root, "output", "PSCertConnector"));
            Manifest = Path.Combine(versions.Single(), "PSCertConnector.psd1");
            Home = Path.Combine(Path.GetTempPath(), "psc-hosted-" + Guid.NewGuid().ToString("N"));
            _previousHome = Environment.GetEnvironmentVariable("PSCERTCONNECTOR_HOME") ?? "";
            Environment.SetEnvironmentVariable("PSCERTCONNECTOR_HOME", Home);
            Host = new RecordingHost();
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(Manifest);
            _runspace = RunspaceFactory.CreateRunspace(Host, state);
            _runspace.Open();
        }

        public string Manifest { get; }
        public string Home { get; }
        public RecordingHost Host { get; }

        /// <summary>Runs a script; terminating errors come back as the thrown exception's ErrorRecord in Errors.</summary>
        public Result Run(string script)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            Collection<PSObject> output;
            ErrorRecord? terminating = null;
            try { output = ps.Invoke(); }
            catch (RuntimeException ex) { output = new Collection<PSObject>(); terminating = ex.ErrorRecord; }
            var errors = ps.Streams.Error.ToList();
            if (terminating != null) errors.Add(terminating);
            return new Result(output.ToList(), errors, ps.Streams.Progress.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList());
        }

        /// <summary>Starts a script, lets it run for a while, then stops it as Ctrl+C does; returns how long the stop took.</summary>
        public TimeSpan RunAndStop(string script, TimeSpan runFor)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            var running = ps.BeginInvoke();
            running.AsyncWaitHandle.WaitOne(runFor);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            try { ps.EndInvoke(running); } catch (PipelineStoppedException) { }
            return watch.Elapsed;
        }

        /// <summary>Runs a script that must not fail.</summary>
        public List<PSObject> Ok(string script)
        {
            var result = Run(script);
            if (result.Errors.Count > 0)
                throw new Xunit.Sdk.XunitException("The script failed: " + string.Join("; ", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            return result.Output;
        }

        public void Dispose()
        {
            _runspace.Dispose();
            Environment.SetEnvironmentVariable("PSCERTCONNECTOR_HOME", _previousHome == "" ? null : _previousHome);
            try { if (Directory.Exists(Home)) Directory.Delete(Home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public sealed record Result(List<PSObject> Output, List<ErrorRecord> Errors, List<ProgressRecord> Progress, List<string> Warnings);

    /// <summary>A host that answers confirmation prompts as told and records what it was shown; it never blocks.</summary>
    public sealed class RecordingHost : PSHost
    {
        private readonly RecordingUi _ui = new RecordingUi();
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override string Name => "PSCertConnectorTestHost";
        public override PSHostUserInterface UI => _ui;
        public override Version Version => new Version(1, 0);
        public List<string> Prompts => _ui.Prompts;
        public List<string> Lines => _ui.Lines;
        /// <summary>The label of the choice to pick ("Yes", "No", ...); null fails the prompt, as a non-interactive host would.</summary>
        public string? Answer { get => _ui.Answer; set => _ui.Answer = value; }
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }

        private sealed class RecordingUi : PSHostUserInterface
        {
            public List<string> Prompts { get; } = new();
            public List<string> Lines { get; } = new();
            public string? Answer { get; set; }
            public override PSHostRawUserInterface? RawUI => null;

            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            {
                Prompts.Add(caption + ": " + message);
                if (Answer == null) throw new PSInvalidOperationException("The test host was prompted: " + caption + ": " + message);
                var index = choices.ToList().FindIndex(c => c.Label.Replace("&", "").Equals(Answer, StringComparison.OrdinalIgnoreCase));
                return index >= 0 ? index : throw new PSInvalidOperationException($"No choice '{Answer}' among {string.Join(", ", choices.Select(c => c.Label))}");
            }

            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            {
                Prompts.Add(caption + ": " + message + " [" + string.Join(", ", descriptions.Select(d => d.Name)) + "]");
                throw new PSInvalidOperationException("The test host was prompted for " + string.Join(", ", descriptions.Select(d => d.Name)));
            }

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw Refuse(caption);
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw Refuse(caption);
            public override string ReadLine() => throw Refuse("ReadLine");
            public override SecureString ReadLineAsSecureString() => throw Refuse("ReadLineAsSecureString");
            public override void Write(string value) => Lines.Add(value);
            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Lines.Add(value);
            public override void WriteLine(string value) => Lines.Add(value);
            public override void WriteErrorLine(string value) => Lines.Add(value);
            public override void WriteDebugLine(string message) => Lines.Add(message);
            public override void WriteProgress(long sourceId, ProgressRecord record) { }
            public override void WriteVerboseLine(string message) => Lines.Add(message);
            public override void WriteWarningLine(string message) => Lines.Add(message);

            private Exception Refuse(string what)
            {
                Prompts.Add(what);
                return new PSInvalidOperationException("The test host was prompted: " + what);
            }
        }
    }

    [CollectionDefinition("powershell", DisableParallelization = true)]
    public sealed class PowerShellCollection { }
}
