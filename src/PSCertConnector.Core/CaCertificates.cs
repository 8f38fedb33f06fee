using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace PSCertConnector.Core
{
    public sealed record CaCertificates(X509Certificate2 Issuing, IReadOnlyList<X509Certificate2> Chain);
}
