using System;

namespace PSCertConnector.Core.Store
{
    /// <summary>An enrollment endpoint cached for a connector when its templates were last refreshed.</summary>
    public sealed record EnrollmentServiceRecord
    {
        public string Connector { get; init; } = "";
        public EnrollmentService Service { get; init; } = new EnrollmentService();
        public DateTimeOffset RefreshedAt { get; init; }

        public string CaSubject => Service.CaSubject;
        public string Uri => Service.Uri;
        public string Authentication => Service.Authentication;
        public int Priority => Service.Priority;
        public bool RenewalOnly => Service.RenewalOnly;
    }
}
