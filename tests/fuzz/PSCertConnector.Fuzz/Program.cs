using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using PSCertConnector.Core;

namespace PSCertConnector.Fuzz
{
    /// <summary>
    /// replay TARGET DIR...                 every file under the folders through the target
    /// mutate TARGET --seconds N [--seed S] [--max-execs N] [--max-length BYTES] [--corpus DIR] [--findings DIR]
    /// afl TARGET                           one input from stdin per run under afl-fuzz (SharpFuzz, instrumented Core)
    /// Exit code: 0 clean, 1 a finding (an exception other than PscException, or an input allocating too much), 2 a hang, 64 usage.
    /// </summary>
    public static class Program
    {
        /// <summary>One input taking longer than this is a hang (the bound).</summary>
        private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(5);
        /// <summary>One input allocating more than this is unbounded allocation (inputs are at most a few hundred KiB).</summary>
        private const long AllocationLimit = 512L * 1024 * 1024;

        public static int Main(string[] args)
        {
            try
            {
                if (args.Length < 2) return Usage();
                var target = FuzzTargets.Resolve(args[1]);
                return args[0] switch
                {
                    "replay" => Replay(target, args.Skip(2).ToArray()),
                    "mutate" => Mutate(target, new Options(args.Skip(2).ToArray())),
                    "afl" => Afl(target),
                    _ => Usage(),
                };
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 64;
            }
        }

        private static int Usage()
        {
            Console.Error.WriteLine("usage: replay TARGET DIR... | mutate TARGET --seconds N [--seed S] [--max-execs N] [--max-length BYTES] [--corpus DIR] [--findings DIR] | afl TARGET");
            Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Keys) + " (pkcs12 = pkcs7)");
            return 64;
        }

        private static int Afl(string target)
        {
            // PscException is handled inside the target; whatever escapes is what afl records as a crash.
            SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                FuzzTargets.Run(target, buffer.ToArray());
            });
            return 0;
        }

        private static int Replay(string target, string[] folders)
        {
            if (folders.Length == 0) throw new ArgumentException("replay needs at least one folder.");
            var files = folders.Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)).OrderBy(f => f, StringComparer.Ordinal).ToList();
            int failures = 0;
            using var watchdog = new Watchdog(HangLimit, Path.GetTempPath(), target);
            foreach (var file in files)
            {
                var input = File.ReadAllBytes(file);
                var error = Execute(target, input, watchdog);
                if (error == null) continue;
                failures++;
                Console.WriteLine($"FAIL {file}: {error}");
            }
            Console.WriteLine($"target={target} replayed={files.Count} failures={failures}");
            return failures == 0 ? 0 : 1;
        }

        private static int Mutate(string target, Options options)
        {
            var root = options.Get("--root") ?? FindFuzzRoot();
            var corpusFolders = options.GetAll("--corpus");
            if (corpusFolders.Count == 0) corpusFolders = new[] { Path.Combine(root, "corpus", target), Path.Combine(root, "regressions", target) };
            var corpus = corpusFolders.Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)).OrderBy(f => f, StringComparer.Ordinal)
                .Select(File.ReadAllBytes).ToList();
            var seconds = options.Int("--seconds", 60);
            var seed = options.Int("--seed", 1);
            var maxExecs = options.Long("--max-execs", long.MaxValue);
            var findingsFolder = options.Get("--findings") ?? Path.Combine(root, "findings", target);
            var mutator = new Mutator(corpus, seed, options.Int("--max-length", 128 * 1024));

            using var watchdog = new Watchdog(HangLimit, findingsFolder, target);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var clock = Stopwatch.StartNew();
            var deadline = TimeSpan.FromSeconds(seconds);
            long execs = 0, findings = 0;
            // The seeds themselves first, then mutants until the time or exec budget is spent.
            foreach (var input in corpus.Concat(Mutants(mutator)))
            {
                if (clock.Elapsed >= deadline || execs >= maxExecs) break;
                execs++;
                var error = Execute(target, input, watchdog);
                if (error == null) continue;
                findings++;
                // One report per exception type and place: the message varies with the input (lengths, offsets).
                var signature = error.Split(':')[0] + " @ " + FirstOwnFrame(error);
                if (seen.Add(signature))
                {
                    var path = Save(findingsFolder, input);
                    Console.WriteLine($"FINDING {target}: {signature}\n  input: {path}\n{Indent(error)}");
                }
            }
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "target={0} execs={1} seconds={2:F0} execs_per_second={3:F0} findings={4} distinct={5} slowest_ms={6}",
                target, execs, clock.Elapsed.TotalSeconds, execs / Math.Max(clock.Elapsed.TotalSeconds, 0.001), findings, seen.Count, watchdog.SlowestMilliseconds));
            return findings == 0 ? 0 : 1;
        }

        private static IEnumerable<byte[]> Mutants(Mutator mutator)
        {
            while (true) yield return mutator.Next();
        }

        /// <summary>Runs one input; null when it was accepted or refused with a PscException, else what went wrong.</summary>
        private static string? Execute(string target, byte[] input, Watchdog watchdog)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            watchdog.Start(input);
            try
            {
                FuzzTargets.Run(target, input);
            }
            catch (Exception ex)
            {
                return ex.GetType().FullName + ": " + ex.Message + "\n" + ex.StackTrace;
            }
            finally
            {
                watchdog.Stop();
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return allocated > AllocationLimit
                ? $"UnboundedAllocation: {allocated / (1024 * 1024)} MiB allocated for a {input.Length}-byte input\n"
                : null;
        }

        private static string FirstOwnFrame(string error)
        {
            var frames = error.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.StartsWith("at ", StringComparison.Ordinal)).ToList();
            var own = frames.FirstOrDefault(f => f.Contains("PSCertConnector.Core", StringComparison.Ordinal)) ?? frames.FirstOrDefault() ?? "";
            int paren = own.IndexOf('(');
            return paren > 0 ? own.Substring(0, paren) : own;
        }

        private static string Indent(string text) => string.Join("\n", text.Split('\n').Take(12).Select(l => "    " + l.TrimEnd()));

        internal static string Save(string folder, byte[] input)
        {
            Directory.CreateDirectory(folder);
            var name = Convert.ToHexString(SHA256.HashData(input)).Substring(0, 16).ToLowerInvariant();
            var path = Path.Combine(folder, "crash-" + name);
            File.WriteAllBytes(path, input);
            return path;
        }

        /// <summary>tests/fuzz, found from the working directory or the binary's folder upwards.</summary>
        private static string FindFuzzRoot()
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                {
                    var candidate = Path.Combine(dir.FullName, "tests", "fuzz");
                    if (Directory.Exists(Path.Combine(candidate, "corpus"))) return candidate;
                    if (dir.Name == "fuzz" && Directory.Exists(Path.Combine(dir.FullName, "corpus"))) return dir.FullName;
                }
            }
            throw new ArgumentException("Cannot find tests/fuzz/corpus from here; pass --root or --corpus.");
        }

        /// <summary>
        /// Ends the process when one input runs longer than the limit: a parser stuck in a loop cannot be
        /// interrupted from inside, so the input is saved first and the exit code says hang.
        /// </summary>
        private sealed class Watchdog : IDisposable
        {
            private readonly TimeSpan _limit;
            private readonly string _folder;
            private readonly string _target;
            private readonly Thread _thread;
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private volatile byte[]? _input;
            private long _startedTicks;
            private volatile bool _stopping;

            public Watchdog(TimeSpan limit, string folder, string target)
            {
                _limit = limit;
                _folder = folder;
                _target = target;
                _thread = new Thread(Watch) { IsBackground = true, Name = "fuzz watchdog" };
                _thread.Start();
            }

            public long SlowestMilliseconds { get; private set; }

            public void Start(byte[] input)
            {
                Interlocked.Exchange(ref _startedTicks, _clock.ElapsedTicks);
                _input = input;
            }

            public void Stop()
            {
                var elapsed = (_clock.ElapsedTicks - Interlocked.Read(ref _startedTicks)) * 1000 / Stopwatch.Frequency;
                if (elapsed > SlowestMilliseconds) SlowestMilliseconds = elapsed;
                _input = null;
            }

            private void Watch()
            {
                while (!_stopping)
                {
                    Thread.Sleep(250);
                    var input = _input;
                    if (input == null) continue;
                    var elapsed = TimeSpan.FromTicks((_clock.ElapsedTicks - Interlocked.Read(ref _startedTicks)) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
                    if (elapsed <= _limit || !ReferenceEquals(input, _input)) continue;
                    var path = Save(_folder, input);
                    Console.WriteLine($"HANG {_target}: one input ran longer than {_limit.TotalSeconds:F0} s ({input.Length} bytes)\n  input: {path}");
                    Console.Out.Flush();
                    Environment.Exit(2);
                }
            }

            public void Dispose() => _stopping = true;
        }

        private sealed class Options
        {
            private readonly string[] _args;
            public Options(string[] args) => _args = args;

            public string? Get(string name)
            {
                int i = Array.LastIndexOf(_args, name);
                return i >= 0 && i + 1 < _args.Length ? _args[i + 1] : null;
            }

            public IReadOnlyList<string> GetAll(string name) =>
                _args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < _args.Length).Select(x => _args[x.i + 1]).ToList();

            public int Int(string name, int fallback) => Get(name) is { } text
                ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"{name} needs a whole number, not '{text}'.")
                : fallback;

            public long Long(string name, long fallback) => Get(name) is { } text
                ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"{name} needs a whole number, not '{text}'.")
                : fallback;
        }
    }
}
