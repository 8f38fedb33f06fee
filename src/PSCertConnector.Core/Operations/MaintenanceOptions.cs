using System;

namespace PSCertConnector.Core.Operations
{
    /// <summary>How one maintenance pass runs (certconnector maintain, Invoke-CaMaintenance).</summary>
    public sealed record MaintenanceOptions
    {
        /// <summary>How long a claimed import is held between two pages before another host may take it over.</summary>
        public TimeSpan ImportLease { get; init; } = TimeSpan.FromMinutes(10);
        /// <summary>How renewals are made: the PFX password for files the predecessors were exported to, the post-renewal command.</summary>
        public RenewOptions Renewal { get; init; } = new RenewOptions();
    }
}
