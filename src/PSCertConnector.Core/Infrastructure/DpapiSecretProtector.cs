using System.Security.Cryptography;

namespace PSCertConnector.Core.Infrastructure
{
    internal sealed class DpapiSecretProtector : ISecretProtector
    {
        private static readonly byte[] Entropy = System.Text.Encoding.UTF8.GetBytes("PSCertConnector/1");
        private readonly DataProtectionScope _scope;

        public DpapiSecretProtector(bool machineScope) =>
            _scope = machineScope ? DataProtectionScope.LocalMachine : DataProtectionScope.CurrentUser;

        public byte[] Protect(byte[] plain) => ProtectedData.Protect(plain, Entropy, _scope);

        public byte[] Unprotect(byte[] protectedBytes)
        {
            try { return ProtectedData.Unprotect(protectedBytes, Entropy, _scope); }
            catch (CryptographicException ex)
            {
                throw new PscException("SecretUnreadable", FailureCategory.SecurityError,
                    "A protected secret could not be decrypted: it was protected by another Windows user or machine.", ex);
            }
        }
    }
}
