using System;
using System.IO;
using System.Linq;
using System.Threading;
using PSCertConnector.Cli.Commands;
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
            using var signals = CommandHost.CancelOnStopSignals(stop); // 'lab serve' passes the stop on to the Lab, which says so and exits 0
            return Run(args, Console.Out, Console.Error, Console.IsInputRedirected ? null : Console.In, stop.Token);
        }

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
                return CommandHost.Run(() => Dispatch(args, stdout, stderr, interactiveInput, cancel.Token), stderr);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }

        private static int Dispatch(string[] args, TextWriter stdout, TextWriter stderr, TextReader? interactiveInput, CancellationToken cancel)
        {
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                stdout.Write(Help.Overview);
                return args.Length == 0 ? 2 : 0;
            }
            if (args[0] == "--version")
            {
                stdout.WriteLine(typeof(Workspace).Assembly.GetName().Version);
                return 0;
            }
            var cl = CommandLine.Parse(args, CommandRegistry.TwoWordGroups, CommandRegistry.Flags);
            var name = string.Join(" ", cl.Words);
            if (cl.Has("help"))
            {
                stdout.Write(Help.For(name));
                return 0;
            }
            var command = CommandRegistry.Find(name)
                ?? throw CommandLine.Usage($"'{name}' is not a certconnector command. Run 'certconnector --help' for the list.");
            var accepted = command.Options.Select(o => o.Name).Concat(CommandRegistry.Global.Select(o => o.Name)).ToList();
            var unknown = cl.OptionNames.Where(o => !accepted.Contains(o)).ToList();
            if (unknown.Count > 0)
                throw CommandLine.Usage($"'{name}' does not take {string.Join(", ", unknown.Select(u => "--" + u))}. See 'certconnector {name} --help'.");
            cl.RestrictTo(accepted);
            if (cl.Get("home") is string home) Environment.SetEnvironmentVariable(PscHome.EnvironmentVariable, Path.GetFullPath(home));
            return command.Run(cl, new Invocation(args, cl, stdout, stderr, interactiveInput, cancel));
        }
    }
}
