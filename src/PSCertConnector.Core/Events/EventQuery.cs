using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Events
{
    /// <summary>Which events to read; every filter given must match.</summary>
    public sealed record EventQuery
    {
        public IReadOnlyList<int> Ids { get; init; } = Array.Empty<int>();
        /// <summary>This level or worse (Warning includes Error).</summary>
        public EventLevel? Level { get; init; }
        public EventChannel? Log { get; init; }
        public string? Area { get; init; }
        public string? Connector { get; init; }
        public DateTimeOffset? Since { get; init; }
        public DateTimeOffset? Until { get; init; }
        /// <summary>At most this many, newest first (null: all).</summary>
        public int? Newest { get; init; }
    }
}
