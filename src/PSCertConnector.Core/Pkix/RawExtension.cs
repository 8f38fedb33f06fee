
namespace PSCertConnector.Core.Pkix
{
    public sealed record RawExtension(string Oid, bool Critical, byte[] Value);
}
