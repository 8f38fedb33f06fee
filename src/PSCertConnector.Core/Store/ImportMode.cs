using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.Store
{
    public enum ImportMode { Incremental, Full }
}
