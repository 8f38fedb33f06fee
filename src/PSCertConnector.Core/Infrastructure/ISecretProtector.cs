
namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>Protects secrets at rest: passwords, API keys and private keys never reach disk in plain form.</summary>
    public interface ISecretProtector
    {
        byte[] Protect(byte[] plain);
        byte[] Unprotect(byte[] protectedBytes);
    }
}
