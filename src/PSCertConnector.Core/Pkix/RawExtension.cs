using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Pkix
{
    public sealed record RawExtension(string Oid, bool Critical, byte[] Value);
}
