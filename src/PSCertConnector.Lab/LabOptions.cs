using System;
using System.Collections.Generic;

namespace PSCertConnector.Lab
{
    public sealed record LabOptions
    {
        /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
        public int Port { get; init; }
        /// <summary>Accounts for UsernamePassword (CEP/CES), Basic (/certsrv) and the admin endpoint.</summary>
        public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();
        /// <summary>The API key the DigiCert emulations accept (x-api-key); null accepts only client certificates.</summary>
        public string? ApiKey { get; init; }
        /// <summary>Wait this long before answering protocol requests (to exercise client timeouts).</summary>
        public TimeSpan ResponseDelay { get; init; }
        /// <summary>
        /// Accept HTTP Negotiate (Kerberos; NTLM where gss-ntlmssp is installed) on the _CEP_/_CES_Kerberos endpoints and
        /// /certsrv. The service key comes from the keytab GSSAPI is pointed at (KRB5_KTNAME), for HTTP/localhost.
        /// </summary>
        public bool Negotiate { get; init; }
        /// <summary>The template the NDES emulation issues with (NDES reads it from its registry); one that needs approval leaves requests PENDING.</summary>
        public string ScepTemplate { get; init; } = "Machine";
        /// <summary>A fixed SCEP challenge password accepted besides the one-time ones from mscep_admin (for clients that are given one).</summary>
        public string? ScepChallenge { get; init; }
        /// <summary>Offer only what NDES before Windows Server 2012 R2 did: no POST, no AES, SHA-1 (GetCACaps "DES3", "SHA-1").</summary>
        public bool ScepLegacy { get; init; }
        /// <summary>Largest request body accepted.</summary>
        public long MaxRequestBytes { get; init; } = 1024 * 1024;
    }
}
