
namespace PSCertConnector.Cli.Commands
{
    /// <summary>An option a command takes, as its help shows it; a flag takes no value.</summary>
    internal sealed record CliOption(string Name, string Help, bool IsFlag = false)
    {
        public static CliOption Flag(string name, string help = "") => new(name, help, IsFlag: true);
    }
}
