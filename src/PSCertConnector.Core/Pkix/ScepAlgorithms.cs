namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// The content encryption and digest of a SCEP exchange, chosen from the server's GetCACaps: AES-128-CBC and
    /// SHA-256 when it offers them (or SCEPStandard, which implies both), else the RFC's fallbacks 3DES and SHA-1.
    /// </summary>
    public sealed record ScepAlgorithms(string EncryptionOid, SignatureHash Hash)
    {
        public const string Aes128Cbc = "2.16.840.1.101.3.4.1.2";
        public const string DesEde3Cbc = "1.2.840.113549.3.7";

        public static readonly ScepAlgorithms Modern = new ScepAlgorithms(Aes128Cbc, SignatureHash.Sha256);

        public string Describe() => (EncryptionOid == Aes128Cbc ? "AES-128-CBC" : EncryptionOid == DesEde3Cbc ? "3DES-CBC" : EncryptionOid) + ", " + Hash.ToString().ToUpperInvariant();
    }
}
