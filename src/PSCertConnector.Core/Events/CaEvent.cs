using System;

namespace PSCertConnector.Core.Events
{
    /// <summary>One thing PSCertConnector did, as written to the event log. Messages never carry secrets.</summary>
    public sealed record CaEvent
    {
        public DateTimeOffset Time { get; init; }
        public int Id { get; init; }
        public EventLevel Level { get; init; }
        public EventChannel Log { get; init; }
        /// <summary>The range the id falls in: General, Enrollment, Import, Revocation, Scep, Renewal, Notification, Maintenance.</summary>
        public string Area { get; init; } = "";
        public EventOutcome Outcome { get; init; }
        public string Message { get; init; } = "";
        public string? Connector { get; init; }
        /// <summary>What the event is about: an order id, a serial number, a notification rule.</summary>
        public string? Target { get; init; }
        /// <summary>The stable id of the error, for failures.</summary>
        public string? ErrorId { get; init; }
        public string Host { get; init; } = "";
        public int ProcessId { get; init; }
    }
}
