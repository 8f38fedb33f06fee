using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Runtime.InteropServices;
using System.Threading;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Cli
{
    /// <summary>certconnector: the command-line face of the same operations the PowerShell cmdlets call.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            using var stop = new CancellationTokenSource();
            // Service managers, CI and containers stop a process with SIGTERM, a closing terminal sends SIGHUP, and a shell
            // leaves SIGINT ignored for background jobs: each is the same orderly stop as Ctrl+C (the Lab says so and exits 0).
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OrderlyStop(stop));
            using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OrderlyStop(stop));
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OrderlyStop(stop));
            return Run(args, Console.Out, Console.Error, Console.IsInputRedirected ? null : Console.In, stop.Token);
        }

        private static Action<PosixSignalContext> OrderlyStop(CancellationTokenSource stop) => context =>
        {
            context.Cancel = true;
            stop.Cancel();
        };

        internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader? interactiveInput, CancellationToken stopped = default)
        {
            // One place for terminal safety: nothing printed carries a raw control character from a certificate or a peer.
            stdout = new TerminalSafeWriter(stdout);
            stderr = new TerminalSafeWriter(stderr);
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopped);
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var app = new App(stdout, stderr, interactiveInput, cancel.Token);
                return app.Dispatch(args);
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
                                       or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or ArgumentException or FormatException)
            {
                // Anything not already turned into a PscException: still one line, never a stack trace.
                stderr.WriteLine($"error: {ex.Message} [Unexpected{ex.GetType().Name}]");
                return 1;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }
    }

    internal sealed partial class App
    {
        private readonly TextWriter _out;
        private readonly TextWriter _err;
        private readonly TextReader? _in;
        private readonly CancellationToken _cancel;

        public App(TextWriter stdout, TextWriter stderr, TextReader? interactiveInput, CancellationToken cancel)
        {
            _out = stdout;
            _err = stderr;
            _in = interactiveInput;
            _cancel = cancel;
        }

        private static readonly string[] TwoWordGroups = { "connector", "template", "request", "order", "cert", "crl", "lab", "intune", "adcs" };

        public int Dispatch(string[] args)
        {
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                _out.Write(Help.Overview);
                return args.Length == 0 ? 2 : 0;
            }
            if (args[0] == "--version")
            {
                _out.WriteLine(typeof(Workspace).Assembly.GetName().Version);
                return 0;
            }
            var cl = CommandLine.Parse(args, TwoWordGroups);
            var command = string.Join(" ", cl.Words);
            if (cl.Has("help"))
            {
                _out.Write(Help.For(command));
                return 0;
            }
            Help.ValidateOptions(command, cl);
            if (cl.Get("home") is string home) Environment.SetEnvironmentVariable(PscHome.EnvironmentVariable, Path.GetFullPath(home));
            return command switch
            {
                "connector add" => ConnectorAdd(cl),
                "connector list" => Op(cl, false, (ws, s) => new ConnectorOperations(ws, s).List(cl.Positionals.FirstOrDefault())),
                "connector show" => Op(cl, false, (ws, s) => new ConnectorOperations(ws, s).List(RequirePositional(cl, "connector name")), single: true),
                "connector set" => ConnectorSet(cl),
                "connector services" => Op(cl, false, (ws, s) => new TemplateOperations(ws, s).GetEnrollmentServices(RequirePositional(cl, "connector name"), cl.Has("refresh"))),
                "connector test" => Op(cl, false, (ws, s) => new ConnectorOperations(ws, s).Test(ConnectorNames(cl, ws))),
                "connector remove" => Op(cl, true, (ws, s) => new ConnectorOperations(ws, s).Remove(PositionalsRequired(cl, "connector name"))),
                "template list" => TemplateList(cl),
                "request new" => RequestNew(cl),
                "submit" => Submit(cl),
                "order list" => Op(cl, false, (ws, s) => new OrderOperations(ws, s).List(OrderFilter(cl), cl.Has("refresh"))),
                "order refresh" => Op(cl, false, (ws, s) => new OrderOperations(ws, s).Refresh(Orders(cl, ws, s, SubmitStatus.Pending))),
                "order fetch" => Op(cl, false, (ws, s) => new OrderOperations(ws, s).Fetch(Orders(cl, ws, s, SubmitStatus.Issued, unfetchedOnly: true))),
                "order remove" => Op(cl, true, (ws, s) => new OrderOperations(ws, s).Remove(Orders(cl, ws, s, null))),
                "order approve" => Op(cl, false, (ws, s) => new OrderOperations(ws, s).Approve(Orders(cl, ws, s, null))),
                "order deny" => Op(cl, true, (ws, s) => new OrderOperations(ws, s).Deny(Orders(cl, ws, s, null))),
                "import" => Import(cl),
                "cert list" => Op(cl, false, (ws, s) => new InventoryOperations(ws, s).Query(CertFilter(cl))),
                "cert show" => CertShow(cl),
                "cert export" => CertExport(cl),
                "revoke" => Revoke(cl),
                "crl show" => CrlShow(cl),
                "demo" => new Demo(_out, _err, _cancel).Run(cl),
                "lab serve" => LabServe(cl),
                "intune check" => IntuneCheck(cl),
                "adcs discover" => AdcsDiscover(cl),
                _ => throw CommandLine.Usage($"'{command}' is not a certconnector command. Run 'certconnector --help' for the list."),
            };
        }

        /// <summary>Opens the workspace, runs the operation, renders its objects; exit 1 when any item failed.</summary>
        private int Op(CommandLine cl, bool destructive, Action<Workspace, CliSink> work, bool single = false, Action<CliSink>? render = null)
        {
            bool json = cl.Has("json");
            var sink = new CliSink(_err, cl.Has("verbose"), cl.Has("what-if"), cl.Has("yes"), destructive, _in, _cancel)
            {
                ProgressOnTerminal = ReferenceEquals(TerminalSafeWriter.Unwrap(_err), Console.Error) && !Console.IsErrorRedirected && !cl.Has("verbose"),
            };
            using (var workspace = Workspace.Open())
                work(workspace, sink);
            if (render != null) render(sink);
            else if (json) _out.WriteLine(Views.ToJson(sink.Objects, single));
            else _out.Write(Views.ToTable(sink.Objects));
            return sink.Errors.Count > 0 ? 1 : 0;
        }

        /// <summary>template list [--connector] NAME [PATTERN]: the connector may be the first argument, the name pattern follows it.</summary>
        private int TemplateList(CommandLine cl)
        {
            var fromOption = cl.Get("connector");
            var connector = ConnectorOption(cl);
            var pattern = cl.Positionals.Skip(fromOption == null ? 1 : 0).FirstOrDefault();
            var refresh = cl.Has("refresh");
            return Op(cl, false, (ws, s) => new TemplateOperations(ws, s).Get(connector, refresh, pattern));
        }

        private static string RequirePositional(CommandLine cl, string what) =>
            cl.Positionals.FirstOrDefault() ?? throw CommandLine.Usage($"Give the {what}.");

        private static IReadOnlyList<string> PositionalsRequired(CommandLine cl, string what) =>
            cl.Positionals.Count > 0 ? cl.Positionals : throw CommandLine.Usage($"Give at least one {what}.");

        private static string ConnectorOption(CommandLine cl) =>
            cl.Get("connector") ?? cl.Positionals.FirstOrDefault() ?? throw CommandLine.Usage("--connector is required (the connector's name).");

        private static IReadOnlyList<string> ConnectorNames(CommandLine cl, Workspace ws) =>
            cl.Has("all") || cl.Positionals.Count == 0 ? ws.Store.ListConnectors().Select(c => c.Name).ToList() : cl.Positionals;

        /// <summary>Reads a secret from an environment variable or a file, never from the command line.</summary>
        private static string? Secret(CommandLine cl, string envOption, string fileOption)
        {
            var env = cl.Get(envOption);
            var file = cl.Get(fileOption);
            if (env != null && file != null) throw CommandLine.Usage($"Give --{envOption} or --{fileOption}, not both.");
            if (env != null)
                return Environment.GetEnvironmentVariable(env) is { Length: > 0 } value ? value
                    : throw CommandLine.Usage($"The environment variable '{env}' named by --{envOption} is not set or empty.");
            if (file != null)
            {
                if (!File.Exists(file)) throw CommandLine.Usage($"The file '{file}' named by --{fileOption} does not exist.");
                return File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            return null;
        }

        private static byte[] ReadFile(string path, string what)
        {
            try { return File.ReadAllBytes(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new PscException("FileUnreadable", FailureCategory.ReadError, $"The {what} '{path}' cannot be read: {ex.Message}") { Target = path };
            }
        }

        private static void WriteFile(string path, byte[] content)
        {
            var full = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            AtomicFile.Write(full, content);
        }
    }
}
