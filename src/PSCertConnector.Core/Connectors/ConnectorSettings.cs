using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>The one check every connector type runs first: each setting given is one the type declares.</summary>
    public static class ConnectorSettings
    {
        /// <summary>Settings that once existed, and what to do instead: a stored connector that has one says so plainly.</summary>
        private static readonly Dictionary<string, string> Retired = new(System.StringComparer.OrdinalIgnoreCase)
        {
            ["labAdmin"] = "Approving and denying on a Lab server is the Lab's own business now, as on a real CA: decide there " +
                           "(POST <lab>/lab/admin/requests/<id>/approve or /deny, as 'certconnector lab serve' prints), then refresh the order. " +
                           "Remove the setting with 'connector set NAME --setting labAdmin=' (Set-CaConnector -Setting @{ labAdmin = '' }).",
        };

        public static void RejectUnknown(string typeName, IReadOnlyDictionary<string, string> known, IEnumerable<string> given)
        {
            // The renewal policy belongs to every type (RenewalPolicy checks its values).
            foreach (var key in given.Where(k => !known.ContainsKey(k) && !RenewalPolicy.IsPolicySetting(k) && !ImportSelection.IsSelectionSetting(k) && !ApprovalPolicy.IsPolicySetting(k)))
                throw Retired.TryGetValue(key, out var instead)
                    ? new PscException("RetiredSetting", FailureCategory.InvalidArgument, $"The setting '{key}' is no longer used. {instead}") { Target = key }
                    : new PscException("UnknownSetting", FailureCategory.InvalidArgument,
                        $"The setting '{key}' does not apply to {("aeiou".IndexOf(char.ToLowerInvariant(typeName[0])) >= 0 ? "an" : "a")} '{typeName}' connector. Known settings: {string.Join(", ", known.Keys.Concat(RenewalPolicy.Settings.Keys).Concat(ImportSelection.Settings.Keys).Concat(ApprovalPolicy.Settings.Keys))}.") { Target = key };
        }

        /// <summary>A setting's value by name, ignoring case; null when it is missing or empty.</summary>
        public static string? Value(IReadOnlyDictionary<string, string> settings, string key) =>
            settings.FirstOrDefault(p => p.Key.Equals(key, System.StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } value ? value : null;

        /// <summary>A list setting's entries, trimmed, empty ones dropped.</summary>
        public static IReadOnlyList<string> List(string? value, char separator = ',') =>
            (value ?? "").Split(separator).Select(v => v.Trim()).Where(v => v.Length > 0).ToList();

        public static void RejectUnknown(IConnectorType type, ConnectorDefinition definition) =>
            RejectUnknown(type.Name, type.Settings, definition.Settings.Keys);
    }
}
