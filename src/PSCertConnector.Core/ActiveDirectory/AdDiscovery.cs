using System;
using System.Collections.Generic;

namespace PSCertConnector.Core.ActiveDirectory
{
    /// <summary>What discovery found in a forest, and what it skipped (each warning names the object).</summary>
    public sealed record AdDiscovery
    {
        public string Forest { get; init; } = "";
        public string Server { get; init; } = "";
        public string ConfigurationNamingContext { get; init; } = "";
        public IReadOnlyList<AdEnrollmentService> EnrollmentServices { get; init; } = Array.Empty<AdEnrollmentService>();
        public IReadOnlyList<CaTemplate> Templates { get; init; } = Array.Empty<CaTemplate>();
        public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
    }
}
