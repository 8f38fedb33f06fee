using System;
using System.Collections.Generic;

namespace PSCertConnector.Core
{
    public sealed record SubmitResult
    {
        public string? RequestId { get; init; }
        public SubmitStatus Status { get; init; }
        public RequestDisposition Disposition { get; init; }
        public int HResult { get; init; }
        public string? DispositionMessage { get; init; }
        public byte[]? Certificate { get; init; }
        public IReadOnlyList<byte[]> Chain { get; init; } = Array.Empty<byte[]>();
        /// <summary>Where to ask about a pending request again (the CES reference URI), when the CA gave one.</summary>
        public string? ReferenceUri { get; init; }
    }
}
