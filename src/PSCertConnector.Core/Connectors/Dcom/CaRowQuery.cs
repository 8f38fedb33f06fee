using System;

namespace PSCertConnector.Core.Connectors.Dcom
{
    /// <summary>Which CA database rows to read (ICertView restrictions), always issued or revoked ones.</summary>
    public sealed record CaRowQuery
    {
        /// <summary>Rows with Request.RequestID greater than this, ascending by request id.</summary>
        public int AfterRequestId { get; init; }
        /// <summary>When set: only revoked rows whose Request.RevokedWhen is at or after this (UTC), ascending by RevokedWhen then request id.</summary>
        public DateTime? RevokedSince { get; init; }
    }
}
