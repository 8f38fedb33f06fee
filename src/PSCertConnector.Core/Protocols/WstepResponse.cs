using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>
    /// What a CES answered to an issue or status request: a certificate (issued), or a reference URI to poll
    /// (pending). Denials arrive as SOAP faults and are read by SoapFault.
    /// </summary>
    public sealed record WstepResponse(string? RequestId, string? DispositionMessage, byte[]? Certificate, IReadOnlyList<byte[]> Chain, Uri? ReferenceUri)
    {
        public bool Issued => Certificate != null;
    }
}
