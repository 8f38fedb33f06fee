namespace PSCertConnector.Core.Store
{
    public enum DeploymentKind { Store, File }
}
