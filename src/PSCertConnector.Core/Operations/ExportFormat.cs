using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Operations
{
    public enum ExportFormat { Pem, Der, Pfx }
}
