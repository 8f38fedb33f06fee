
namespace PSCertConnector.Core
{
    /// <summary>Which face the user is in: messages name that face's commands and syntax.</summary>
    public enum UserFace { Cli, PowerShell }
}
