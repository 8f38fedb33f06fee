using System;

namespace PSCertConnector.Core.Store
{
    public sealed record TemplateRecord
    {
        public string Connector { get; init; } = "";
        public CaTemplate Template { get; init; } = new CaTemplate();
        public DateTimeOffset RefreshedAt { get; init; }

        public string Name => Template.Name;
        public string DisplayName => Template.DisplayName;
        public bool RequiresApproval => Template.RequiresApproval;
        public int ValidityDays => (int)Template.Validity.TotalDays;
    }
}
