namespace PSCertConnector.Core.Configuration
{
    public enum ConfigurationAction { Added, Updated, Unchanged }
}
