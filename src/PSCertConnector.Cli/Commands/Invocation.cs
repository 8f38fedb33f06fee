using System;
using System.IO;
using System.Threading;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    /// <summary>What a running command writes to and is stopped by, and the one way it runs an operation and renders its objects.</summary>
    internal sealed class Invocation
    {
        private readonly CommandLine _line;

        public Invocation(string[] args, CommandLine line, TextWriter stdout, TextWriter stderr, TextReader? interactiveInput, CancellationToken cancel)
        {
            Args = args;
            _line = line;
            Out = stdout;
            Err = stderr;
            In = interactiveInput;
            Cancel = cancel;
        }

        /// <summary>The command line as given, for a command that hands it on to another program.</summary>
        public string[] Args { get; }
        public TextWriter Out { get; }
        public TextWriter Err { get; }
        public TextReader? In { get; }
        public CancellationToken Cancel { get; }
        public bool Json => _line.Has("json");

        /// <summary>Opens the workspace, runs the operation, renders its objects; exit 1 when any item failed.</summary>
        /// <param name="destructive">--yes (or a prompt answer) is needed before it changes anything.</param>
        /// <param name="single">--json writes the one object, not an array.</param>
        /// <param name="render">Renders the objects instead of the table (and of --json, unless it writes that itself).</param>
        /// <param name="anySchemaVersion">The store commands: open a shared store whatever its schema version, to show and migrate it.</param>
        public int Op(bool destructive, Action<Workspace, CliSink> work, bool single = false, Action<CliSink>? render = null, bool anySchemaVersion = false)
        {
            var sink = new CliSink(Err, _line.Has("verbose"), _line.Has("what-if"), _line.Has("yes"), destructive, In, Cancel)
            {
                ProgressOnTerminal = ReferenceEquals(TerminalSafeWriter.Unwrap(Err), Console.Error) && !Console.IsErrorRedirected && !_line.Has("verbose"),
            };
            using (var workspace = Workspace.Open(anySchemaVersion: anySchemaVersion))
                work(workspace, sink);
            if (render != null) render(sink);
            else if (Json) Out.WriteLine(Views.ToJson(sink.Objects, single));
            else Out.Write(Views.ToTable(sink.Objects));
            return sink.Errors.Count > 0 ? 1 : 0;
        }

        /// <summary>--json writes the one object; otherwise <paramref name="text"/> renders it for a reader.</summary>
        public Action<CliSink> JsonOr(Action<CliSink> text) => sink =>
        {
            if (Json) Out.WriteLine(Views.ToJson(sink.Objects, true));
            else text(sink);
        };
    }
}
