
namespace PSCertConnector.Core.Pkix
{
    /// <summary>How a PFX file is encrypted and its integrity protected.</summary>
    public enum Pkcs12Protection
    {
        /// <summary>AES-256-CBC with PBKDF2-HMAC-SHA256 for key and certificates, an HMAC-SHA256 MAC: Windows 10 1709 / Server 2019 and later, OpenSSL 1.1.1+ and .NET read it.</summary>
        Modern,
        /// <summary>Triple-DES with SHA-1 and an HMAC-SHA1 MAC: only for Windows Server 2016, Windows 10 before 1709 and older, which cannot read AES-protected PFX files.</summary>
        Legacy,
    }
}
