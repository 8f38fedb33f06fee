using System;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Connectors.Embedded
{
    public sealed record EmbeddedCaSettings
    {
        /// <summary>CA name, used in its subject and file names.</summary>
        public string Name { get; init; } = "PSCertConnector";
        /// <summary>Where the CRL and CA certificates are published, as a URL prefix; a file: URL of the pub folder by default.</summary>
        public string? PublicationBaseUrl { get; init; }
        public TimeSpan CrlValidity { get; init; } = TimeSpan.FromDays(7);
        public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.Rsa;
    }
}
