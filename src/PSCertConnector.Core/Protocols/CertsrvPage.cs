using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using PSCertConnector.Core;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>What a /certsrv page said about a request.</summary>
    public sealed record CertsrvPage(SubmitStatus Status, string? RequestId, string? DispositionMessage, int HResult);
}
