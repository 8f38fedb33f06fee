
namespace PSCertConnector.Core.Pkix
{
    /// <summary>The subject formats Intune's PKCS profiles offer for DigiCert PKI Platform.</summary>
    public enum IntuneSubjectFormat
    {
        /// <summary>CN=&lt;common name&gt;</summary>
        CommonName,
        /// <summary>CN=&lt;common name&gt;, E=&lt;email&gt;</summary>
        CommonNameAndEmail,
        /// <summary>CN=&lt;email&gt;</summary>
        CommonNameAsEmail,
    }
}
