namespace PSCertConnector.Core.Configuration
{
    /// <summary>What importing a configuration did to one connector or rule.</summary>
    public sealed record ConfigurationChange(string Kind, string Name, ConfigurationAction Action);
}
