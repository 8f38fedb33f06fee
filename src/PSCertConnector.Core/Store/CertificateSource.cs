using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Store
{
    public enum CertificateSource { Enrolled, Imported }
}
