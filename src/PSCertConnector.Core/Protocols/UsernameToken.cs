
namespace PSCertConnector.Core.Protocols
{
    /// <summary>A WS-Security UsernameToken's content. The password lives only in memory.</summary>
    public sealed class UsernameToken
    {
        public UsernameToken(string userName, string password)
        {
            UserName = userName;
            Password = password;
        }

        public string UserName { get; }
        public string Password { get; }
        public override string ToString() => UserName;
    }
}
