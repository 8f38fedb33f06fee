
namespace PSCertConnector.Core
{
    /// <summary>
    /// Names commands and settings in the words of the face in use, so a PowerShell user is pointed at a cmdlet and a
    /// shell user at a certconnector command. One face serves a process: the module sets PowerShell when it loads.
    /// </summary>
    public static class UserText
    {
        public static UserFace Face { get; set; } = UserFace.Cli;

        /// <summary>A command: the CLI form (without 'certconnector') or the cmdlet form.</summary>
        public static string Command(string cli, string powerShell) => Face == UserFace.PowerShell ? powerShell : "'certconnector " + cli + "'";

        /// <summary>How to give a connector setting: --setting name=value, or -Setting @{ name = 'value' }.</summary>
        public static string Setting(string name, string value) => Face == UserFace.PowerShell
            ? $"-Setting @{{ {name} = '{value.Replace("'", "''")}' }}"
            : $"--setting {(value.IndexOfAny(new[] { ' ', '\\' }) >= 0 ? "\"" + name + "=" + value + "\"" : name + "=" + value)}";
    }
}
