using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>
    /// Which pending requests a connector that can approve (AD CS DCOM, the embedded CA, the Lab) approves by itself,
    /// and what the approval checks hold every request to: the domains its names may be in and the smallest key.
    /// Any connector type takes the settings; ':TEMPLATE' after a name gives one template its own value.
    /// </summary>
    public sealed class ApprovalPolicy
    {
        public const string AutoApproveSetting = "autoApprove";
        public const string AllowedDomainsSetting = "approvalAllowedDomains";
        public const string MinimumKeySizeSetting = "approvalMinimumKeySize";

        public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [AutoApproveSetting] = "templates (names or OIDs, comma-separated) whose pending requests are approved when orders are refreshed, if they pass the approval checks",
            [AllowedDomainsSetting] = "domains the names in a request may be in before it is approved (comma-separated; default: the connector's domain; add ':TEMPLATE' for one template)",
            [MinimumKeySizeSetting] = "smallest RSA key (bits) approved, above the template's own minimum (add ':TEMPLATE' for one template)",
        };

        private readonly IReadOnlyDictionary<string, string> _settings;
        private readonly string? _connectorDomain;

        private ApprovalPolicy(IReadOnlyDictionary<string, string> settings, string? connectorDomain)
        {
            _settings = settings;
            _connectorDomain = connectorDomain;
        }

        public static bool IsPolicySetting(string key) => Settings.Keys.Any(name => key.Equals(name, StringComparison.OrdinalIgnoreCase)
            || (!name.Equals(AutoApproveSetting, StringComparison.OrdinalIgnoreCase) && key.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase) && key.Length > name.Length + 1));

        public static ApprovalPolicy For(ConnectorDefinition connector)
        {
            Validate(connector.Settings);
            return new ApprovalPolicy(connector.Settings, string.IsNullOrWhiteSpace(connector.Domain) ? null : connector.Domain);
        }

        /// <summary>Refuses a value that cannot be read, naming the setting.</summary>
        public static void Validate(IReadOnlyDictionary<string, string> settings)
        {
            foreach (var pair in settings)
            {
                if (pair.Key.Equals(MinimumKeySizeSetting, StringComparison.OrdinalIgnoreCase) || pair.Key.StartsWith(MinimumKeySizeSetting + ":", StringComparison.OrdinalIgnoreCase))
                    if (!int.TryParse(pair.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits < 512 || bits > 16384)
                        throw new PscException("InvalidSetting", FailureCategory.InvalidArgument,
                            $"The setting '{pair.Key}' is '{DisplayText.Escape(pair.Value)}'; expected a key size in bits from 512 to 16384 (e.g. 3072).") { Target = pair.Key };
                if (pair.Key.Equals(AllowedDomainsSetting, StringComparison.OrdinalIgnoreCase) || pair.Key.StartsWith(AllowedDomainsSetting + ":", StringComparison.OrdinalIgnoreCase))
                    foreach (var domain in List(pair.Value))
                        if (Uri.CheckHostName(domain.TrimStart('*', '.')) != UriHostNameType.Dns)
                            throw new PscException("InvalidSetting", FailureCategory.InvalidArgument,
                                $"The setting '{pair.Key}' has '{DisplayText.Escape(domain)}', which is not a domain: expected names such as contoso.com, separated by commas.") { Target = pair.Key };
            }
        }

        /// <summary>The templates whose requests are approved by themselves; empty when none are.</summary>
        public IReadOnlyList<string> AutoApprovedTemplates => List(Value(AutoApproveSetting));

        public bool AutoApproves(string template, string? templateOid) =>
            AutoApprovedTemplates.Any(t => t.Equals(template, StringComparison.OrdinalIgnoreCase) || (templateOid != null && t.Equals(templateOid, StringComparison.Ordinal)));

        /// <summary>The domains a request's names must be in (the template's own list, else the connector's, else its domain); empty: no limit.</summary>
        public IReadOnlyList<string> AllowedDomains(string template) =>
            List(Value(AllowedDomainsSetting + ":" + template) ?? Value(AllowedDomainsSetting) ?? _connectorDomain).Select(d => d.TrimStart('*', '.').ToLowerInvariant()).ToList();

        /// <summary>The policy's own minimum RSA key size for the template; null when it sets none.</summary>
        public int? MinimumKeySize(string template) =>
            (Value(MinimumKeySizeSetting + ":" + template) ?? Value(MinimumKeySizeSetting)) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

        private string? Value(string key) => ConnectorSettings.Value(_settings, key);

        private static IReadOnlyList<string> List(string? value) => ConnectorSettings.List(value);
    }
}
