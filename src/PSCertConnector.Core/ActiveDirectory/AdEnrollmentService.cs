using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.ActiveDirectory
{
    /// <summary>An enterprise CA as Active Directory publishes it (CN=Enrollment Services).</summary>
    public sealed record AdEnrollmentService
    {
        public string Name { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string DnsHostName { get; init; } = "";
        public string DistinguishedName { get; init; } = "";
        public byte[] CaCertificate { get; init; } = Array.Empty<byte>();
        public string CaSubject { get; init; } = "";
        public string CaThumbprint { get; init; } = "";
        /// <summary>The CA's configuration string for DCOM and certreq: host\CA name.</summary>
        public string Config => DnsHostName + "\\" + Name;
        /// <summary>Template names the CA publishes (certificateTemplates).</summary>
        public IReadOnlyList<string> Templates { get; init; } = Array.Empty<string>();
        /// <summary>CES endpoints from msPKI-Enrollment-Servers, lowest priority number first.</summary>
        public IReadOnlyList<EnrollmentService> Endpoints { get; init; } = Array.Empty<EnrollmentService>();
    }
}
