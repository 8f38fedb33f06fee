namespace PSCertConnector.Core.Configuration
{
    /// <summary>Where an imported configuration finds a secret: an environment variable or a file (never the secret itself).</summary>
    public sealed record SecretReference
    {
        public string? Env { get; init; }
        public string? File { get; init; }
    }
}
