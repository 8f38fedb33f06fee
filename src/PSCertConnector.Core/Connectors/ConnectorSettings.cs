using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>The one check every connector type runs first: each setting given is one the type declares.</summary>
    public static class ConnectorSettings
    {
        public static void RejectUnknown(string typeName, IReadOnlyDictionary<string, string> known, IEnumerable<string> given)
        {
            foreach (var key in given)
                if (!known.ContainsKey(key))
                    throw new PscException("UnknownSetting", FailureCategory.InvalidArgument,
                        $"The setting '{key}' does not apply to {("aeiou".IndexOf(char.ToLowerInvariant(typeName[0])) >= 0 ? "an" : "a")} '{typeName}' connector. Known settings: {string.Join(", ", known.Keys)}.") { Target = key };
        }

        public static void RejectUnknown(IConnectorType type, ConnectorDefinition definition) =>
            RejectUnknown(type.Name, type.Settings, definition.Settings.Keys);
    }
}
