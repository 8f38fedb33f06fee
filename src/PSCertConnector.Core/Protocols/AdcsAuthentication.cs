
namespace PSCertConnector.Core.Protocols
{
    /// <summary>How a client proves who it is to CEP/CES or /certsrv.</summary>
    public enum AdcsAuthentication
    {
        /// <summary>WS-Security UsernameToken for CEP/CES; HTTP Basic for /certsrv.</summary>
        UsernamePassword,
        /// <summary>A TLS client certificate.</summary>
        Certificate,
        /// <summary>HTTP Negotiate (Kerberos, or NTLM where the platform offers it) through SSPI or GSSAPI.</summary>
        Kerberos,
    }
}
