using System.Collections.Generic;

namespace PSCertConnector.Core
{
    /// <summary>One page of an enumeration; Cursor resumes after its last row (the import watermark).</summary>
    public sealed record IssuedPage(IReadOnlyList<IssuedCertificate> Items, string? Cursor, bool HasMore);
}
