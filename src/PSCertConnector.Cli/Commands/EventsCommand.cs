using System;
using System.Globalization;
using System.Linq;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class EventsCommand : CliCommand
    {
        public EventsCommand() : base("events", "Show the event log (logs/events.jsonl in the home), newest first.",
            new CliOption("id", "event ids (repeat or comma-separate), e.g. 1001,1100"),
            new CliOption("level", "information, warning or error: this level or worse"),
            new CliOption("log", "admin (one event per outcome) or operational (detail)"),
            new CliOption("area", "general, enrollment, import, revocation, scep, renewal, notification or maintenance"),
            new CliOption("connector", ""),
            new CliOption("since", "a time (2026-12-01T08:00Z) or an age (30m, 12h, 7d)"),
            new CliOption("until", "a time or an age"),
            new CliOption("newest", "at most this many (default 50)"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var ids = cl.All("id").Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id < 10000 ? id
                : throw CommandLine.Usage($"--id '{v}' is not an event id (a number from 0 to 9999).")).ToList();
            var query = new EventQuery
            {
                Ids = ids, Level = cl.Enum<EventLevel>("level"), Log = cl.Enum<EventChannel>("log"), Area = cl.Get("area"), Connector = cl.Get("connector"),
                Since = Moment(cl, "since"), Until = Moment(cl, "until"), Newest = cl.Int("newest", 1, 1_000_000) ?? 50,
            };
            return run.Op(false, (ws, s) => new EventOperations(ws, s).Read(query));
        }

        /// <summary>An ISO 8601 time, or an age back from now: 30m, 12h, 7d.</summary>
        private static DateTimeOffset? Moment(CommandLine cl, string option)
        {
            var text = cl.Get(option);
            if (text == null) return null;
            if (text.Length >= 2 && "mhd".IndexOf(char.ToLowerInvariant(text[^1])) >= 0
                && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return DateTimeOffset.UtcNow - (char.ToLowerInvariant(text[^1]) switch { 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), _ => TimeSpan.FromDays(n) });
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
            throw CommandLine.Usage($"--{option} '{text}' is neither a time (2026-12-01T08:00Z) nor an age (30m, 12h, 7d).");
        }
    }
}
