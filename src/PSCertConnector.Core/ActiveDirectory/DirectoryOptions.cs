using System;
using System.Net;

namespace PSCertConnector.Core.ActiveDirectory
{
    /// <summary>How to reach and bind to a domain controller.</summary>
    public sealed record DirectoryOptions
    {
        /// <summary>A domain controller or a domain name; null on Windows lets the DC locator pick one.</summary>
        public string? Server { get; init; }
        /// <summary>389, or 636 with UseLdaps, unless given.</summary>
        public int? Port { get; init; }
        public bool UseLdaps { get; init; }
        /// <summary>Null binds with the current Kerberos identity (the logon session on Windows, the ticket cache on Linux).</summary>
        public NetworkCredential? Credential { get; init; }
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    }
}
