using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Events
{
    /// <summary>
    /// The event log of a home: one JSON object per line in <c>logs/events.jsonl</c>, kept to a size (50 MB by default) by
    /// moving the full file to <c>events.1.jsonl</c> (and older ones up, the oldest of <see cref="KeptFiles"/> dropped).
    /// Writers in several processes take turns on a lock file, so lines never interleave and rotation moves whole
    /// files. Writing an event never fails the work it describes: a log that cannot be written is reported once.
    /// Each host keeps its own log, as each Windows host has its own event log, even when the inventory is shared.
    /// </summary>
    public sealed class EventLog
    {
        public const long DefaultMaxBytes = 50L * 1024 * 1024;
        public const int KeptFiles = 5;
        private const string Stem = "events";
        private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);

        internal static readonly JsonSerializerOptions Json = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Converters = { new JsonStringEnumConverter() },
        };

        private readonly long _maxBytes;
        private bool _failureReported;

        public EventLog(string folder, long maxBytes = DefaultMaxBytes)
        {
            if (maxBytes < 1024) throw new ArgumentOutOfRangeException(nameof(maxBytes), "An event log holds at least 1 KiB.");
            Folder = folder;
            _maxBytes = maxBytes;
        }

        /// <summary>The log of a home: its logs folder.</summary>
        public static EventLog ForHome(string home, long maxBytes = DefaultMaxBytes) => new EventLog(Path.Combine(home, "logs"), maxBytes);

        public string Folder { get; }
        public string CurrentFile => Path.Combine(Folder, Stem + ".jsonl");

        /// <summary>Told of each event written (the service echoes them to its logger, which reaches journald under systemd).</summary>
        public event Action<CaEvent>? Written;

        /// <summary>Called once when the log cannot be written, with the reason (the CLI and cmdlets show it as a warning).</summary>
        public Action<string>? OnWriteFailure { get; set; }

        /// <summary>Writes an event; its level, area and outcome follow from the id unless given.</summary>
        public CaEvent Write(int id, EventChannel log, string message, string? connector = null, string? target = null,
            string? errorId = null, EventOutcome? outcome = null)
        {
            var actual = outcome ?? EventIds.OutcomeOf(id);
            var entry = new CaEvent
            {
                Time = DateTimeOffset.UtcNow,
                Id = id,
                Level = actual switch { EventOutcome.Failure => EventLevel.Error, EventOutcome.Retry => EventLevel.Warning, _ => EventLevel.Information },
                Log = log,
                Area = EventIds.AreaOf(id),
                Outcome = actual,
                Message = message,
                Connector = connector,
                Target = target,
                ErrorId = errorId,
                Host = Environment.MachineName,
                ProcessId = CurrentProcessId,
            };
            Append(entry);
            return entry;
        }

        private static readonly int CurrentProcessId = Process.GetCurrentProcess().Id;

        private void Append(CaEvent entry)
        {
            try
            {
                var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
                OwnerOnly.CreateFolder(Folder);
                using (TakeLock())
                {
                    var current = new FileInfo(CurrentFile);
                    if (current.Exists && current.Length > 0 && current.Length + line.Length > _maxBytes) Rotate();
                    OwnerOnly.CreateFile(CurrentFile);
                    using var stream = new FileStream(CurrentFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                    stream.Write(line, 0, line.Length);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException or PscException)
            {
                if (!_failureReported)
                {
                    _failureReported = true;
                    OnWriteFailure?.Invoke($"The event log '{CurrentFile}' cannot be written ({ex.Message}); events of this run are not recorded.");
                }
            }
            WindowsEventLog.Write(entry);
            Written?.Invoke(entry);
        }

        private void Rotate()
        {
            var oldest = FileNumbered(KeptFiles - 1);
            if (File.Exists(oldest)) File.Delete(oldest);
            for (int n = KeptFiles - 2; n >= 1; n--)
                if (File.Exists(FileNumbered(n))) File.Move(FileNumbered(n), FileNumbered(n + 1));
            File.Move(CurrentFile, FileNumbered(1));
        }

        private string FileNumbered(int n) => Path.Combine(Folder, Stem + "." + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".jsonl");

        /// <summary>An exclusive lock on the log's lock file (FileShare.None is a cross-process lock on every platform .NET runs on).</summary>
        private FileStream TakeLock()
        {
            var path = Path.Combine(Folder, Stem + ".lock");
            OwnerOnly.CreateFile(path);
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
                catch (IOException) when (waited.Elapsed < LockWait) { Thread.Sleep(10); }
                catch (IOException ex) { throw new TimeoutException($"another process held the log's lock for {LockWait.TotalSeconds:0} s", ex); }
            }
        }

        /// <summary>
        /// The events that match, newest first. A line that does not read as an event (the last one of a process killed
        /// while writing it) is passed over and counted in <paramref name="unreadable"/>.
        /// </summary>
        public IReadOnlyList<CaEvent> Read(EventQuery query, out int unreadable)
        {
            unreadable = 0;
            var matches = new List<CaEvent>();
            if (!Directory.Exists(Folder)) return matches;
            var files = Enumerable.Range(1, KeptFiles - 1).Reverse().Select(FileNumbered).Append(CurrentFile).Where(File.Exists);
            foreach (var file in files)
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                string? line;
                while ((line = reader.ReadLine()) != null)
                {
                    if (line.Length == 0) continue;
                    CaEvent? entry;
                    try { entry = JsonSerializer.Deserialize<CaEvent>(line, Json); }
                    catch (JsonException) { entry = null; }
                    if (entry == null) { unreadable++; continue; }
                    if (Matches(entry, query)) matches.Add(entry);
                }
            }
            matches.Reverse();
            return query.Newest is int n ? matches.Take(n).ToList() : matches;
        }

        private static bool Matches(CaEvent e, EventQuery q) =>
            (q.Ids.Count == 0 || q.Ids.Contains(e.Id))
            && (q.Level is not { } level || e.Level >= level)
            && (q.Log is not { } log || e.Log == log)
            && (q.Area == null || string.Equals(e.Area, q.Area, StringComparison.OrdinalIgnoreCase))
            && (q.Connector == null || string.Equals(e.Connector, q.Connector, StringComparison.OrdinalIgnoreCase))
            && (q.Since is not { } since || e.Time >= since)
            && (q.Until is not { } until || e.Time <= until);
    }
}
