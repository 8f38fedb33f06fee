
namespace PSCertConnector.Core.Pkix
{
    public enum SanType { Dns, IpAddress, Email, Upn, Uri, OtherName }
}
