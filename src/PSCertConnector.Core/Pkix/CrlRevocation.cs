using System;
using System.Collections.Generic;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using PSCertConnector.Core;

namespace PSCertConnector.Core.Pkix
{
    public sealed record CrlRevocation(string SerialNumber, DateTimeOffset RevokedAt, RevocationReason Reason);
}
