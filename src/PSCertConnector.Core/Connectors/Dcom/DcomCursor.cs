using System;
using System.Globalization;

namespace PSCertConnector.Core.Connectors.Dcom
{
    /// <summary>The import cursor of an adcs-dcom connector: the phase, the request-id watermark and the revocation watermark.</summary>
    internal sealed record DcomCursor
    {
        public const string RequestIds = "ids", Revocations = "revoked";
        public string Phase { get; init; } = RequestIds;
        public int AfterRequestId { get; init; }
        public DateTime? RevokedSince { get; init; }
        public int RevokedAfterRequestId { get; init; }
        /// <summary>True while the very first import (or a full one) runs: it reads revoked rows as it goes, so it has no revocation phase.</summary>
        public bool FirstPass { get; init; }

        public override string ToString() =>
            string.Join(";", "v1", Phase, AfterRequestId.ToString(CultureInfo.InvariantCulture),
                RevokedSince?.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture) ?? "", RevokedAfterRequestId.ToString(CultureInfo.InvariantCulture),
                FirstPass ? "first" : "");

        public static DcomCursor Parse(string? text)
        {
            if (string.IsNullOrEmpty(text)) return new DcomCursor();
            var parts = text!.Split(';');
            if (parts.Length == 6 && parts[0] == "v1" && parts[1] is RequestIds or Revocations
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var after)
                && int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var revokedAfter))
            {
                DateTime? since = null;
                if (parts[3].Length > 0)
                {
                    if (!DateTime.TryParse(parts[3], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
                        throw Bad(text);
                    since = DateTime.SpecifyKind(parsed, DateTimeKind.Utc);
                }
                return new DcomCursor { Phase = parts[1], AfterRequestId = after, RevokedSince = since, RevokedAfterRequestId = revokedAfter, FirstPass = parts[5] == "first" };
            }
            throw Bad(text);
        }

        private static PscException Bad(string text) =>
            new PscException("InvalidImportWatermark", FailureCategory.InvalidData,
                $"The stored import watermark '{text}' is not an adcs-dcom cursor. Run a full import (--full / -Full) to start over.");
    }
}
