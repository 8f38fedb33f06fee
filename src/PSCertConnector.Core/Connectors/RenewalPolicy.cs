using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>
    /// When a certificate is due for renewal: a number of days before expiry, a share of its lifetime gone, or both
    /// (the earlier point wins). Any connector type takes the settings; a template's own keys
    /// ('renewBeforeDays:WebServer') replace the connector's for that template.
    /// </summary>
    public sealed record RenewalPolicy(int? BeforeDays, int? AtPercent)
    {
        public const string BeforeDaysSetting = "renewBeforeDays";
        public const string AtPercentSetting = "renewAtPercent";
        public const string AutoRenewSetting = "autoRenew";

        /// <summary>Without settings: the last 30 days or the last 20% of the lifetime, whichever begins earlier.</summary>
        public static readonly RenewalPolicy Default = new RenewalPolicy(30, 80);

        /// <summary>The settings every connector type accepts, with their help lines.</summary>
        public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [BeforeDaysSetting] = "renewal is due this many days before expiry (1-3650; add ':TEMPLATE' to the name for one template)",
            [AtPercentSetting] = "renewal is due when this share of the lifetime is gone (1-99; add ':TEMPLATE' to the name for one template)",
            [AutoRenewSetting] = "true (the default) or false: whether the maintenance pass renews the due certificates enrolled through this connector; imported ones are only notified about",
        };

        /// <summary>True for 'renewBeforeDays', 'renewAtPercent' and their per-template forms.</summary>
        public static bool IsPolicySetting(string key) => BaseName(key) != null || key.Equals(AutoRenewSetting, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Whether the maintenance pass renews this connector's due certificates on its own. Only certificates enrolled
        /// here qualify: an imported certificate's key lives where it was requested, so a renewal from here would not
        /// reach the server that uses it.
        /// </summary>
        public static bool AutoRenews(ConnectorDefinition connector) =>
            !connector.Settings.Any(p => p.Key.Equals(AutoRenewSetting, StringComparison.OrdinalIgnoreCase) && p.Value.Equals("false", StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// True when the policy makes a certificate due within the first hundredth of its lifetime (renewBeforeDays longer
        /// than the template's validity, say): its successor would be due at once too, so renewing it on a schedule would
        /// renew on every pass. The maintenance pass leaves such certificates alone and says why.
        /// </summary>
        public static bool DueFromIssue(DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset dueFrom) =>
            dueFrom <= notBefore + TimeSpan.FromTicks((notAfter - notBefore).Ticks / 100);

        /// <summary>The moment the certificate becomes due under this policy.</summary>
        public DateTimeOffset DueFrom(DateTimeOffset notBefore, DateTimeOffset notAfter)
        {
            var candidates = new List<DateTimeOffset>();
            if (BeforeDays.HasValue) candidates.Add(notAfter.AddDays(-BeforeDays.Value));
            if (AtPercent.HasValue) candidates.Add(notBefore + TimeSpan.FromTicks((notAfter - notBefore).Ticks / 100 * AtPercent.Value));
            return candidates.Min();
        }

        /// <summary>The policy for a certificate of this template issued through this connector.</summary>
        public static RenewalPolicy For(ConnectorDefinition? connector, string? template)
        {
            if (connector == null) return Default;
            Validate(connector.Settings);
            if (template != null)
            {
                var own = Read(connector.Settings, ":" + template);
                if (own != null) return own;
            }
            return Read(connector.Settings, "") ?? Default;
        }

        /// <summary>Refuses a policy setting whose value is not a number in range, naming it.</summary>
        public static void Validate(IReadOnlyDictionary<string, string> settings)
        {
            foreach (var pair in settings)
            {
                if (pair.Key.Equals(AutoRenewSetting, StringComparison.OrdinalIgnoreCase) && !(pair.Value.Equals("true", StringComparison.OrdinalIgnoreCase) || pair.Value.Equals("false", StringComparison.OrdinalIgnoreCase)))
                    throw new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"The setting '{pair.Key}' is '{pair.Value}'; expected true or false.") { Target = pair.Key };
                var name = BaseName(pair.Key);
                if (name == null) continue;
                if (pair.Key.Length == name.Length + 1)
                    throw new PscException("InvalidSetting", FailureCategory.InvalidArgument,
                        $"The setting '{pair.Key}' names no template: write '{name}:TEMPLATE' (e.g. '{name}:WebServer') or '{name}' for the whole connector.") { Target = pair.Key };
                int max = name == BeforeDaysSetting ? 3650 : 99;
                if (!int.TryParse(pair.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > max)
                    throw new PscException("InvalidSetting", FailureCategory.InvalidArgument,
                        $"The setting '{pair.Key}' is '{pair.Value}'; expected a whole number from 1 to {max} ({(name == BeforeDaysSetting ? "days before expiry" : "percent of the lifetime gone")}).") { Target = pair.Key };
            }
        }

        private static RenewalPolicy? Read(IReadOnlyDictionary<string, string> settings, string suffix)
        {
            int? days = Value(settings, BeforeDaysSetting + suffix), percent = Value(settings, AtPercentSetting + suffix);
            return days == null && percent == null ? null : new RenewalPolicy(days, percent);
        }

        private static int? Value(IReadOnlyDictionary<string, string> settings, string key)
        {
            var found = settings.FirstOrDefault(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
            return found.Key == null ? null : int.Parse(found.Value, CultureInfo.InvariantCulture);
        }

        private static string? BaseName(string key)
        {
            foreach (var name in new[] { BeforeDaysSetting, AtPercentSetting })
                if (key.Equals(name, StringComparison.OrdinalIgnoreCase) || key.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)) return name;
            return null;
        }
    }
}
