using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace PSCertConnector.Core.Connectors
{
    public sealed class ConnectorRegistry
    {
        private readonly Dictionary<string, IConnectorType> _types = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// Every connector type Core holds: each family's folder declares its own (a non-abstract IConnectorType with a
        /// parameterless constructor), found here by reflection so that adding a connector is adding a folder. The Lab
        /// and the tests register more, or replace one (the DCOM type over a fake CA), with <see cref="Register"/>.
        /// </summary>
        public static ConnectorRegistry CreateDefault()
        {
            var registry = new ConnectorRegistry();
            foreach (var type in BuiltInTypes.Value) registry.Register((IConnectorType)Activator.CreateInstance(type, nonPublic: true)!);
            return registry;
        }

        private static readonly Lazy<Type[]> BuiltInTypes = new(() => typeof(ConnectorRegistry).Assembly.GetTypes()
            .Where(t => typeof(IConnectorType).IsAssignableFrom(t) && t.IsClass && !t.IsAbstract
                        && t.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, Type.EmptyTypes, null) != null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal).ToArray());

        /// <summary>Settings that name a file or folder, in any type that has them: stored as absolute paths.</summary>
        public static readonly IReadOnlyCollection<string> FileSettings = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "path", "caBundle", "clientCertificate" };

        public void Register(IConnectorType type) => _types[type.Name] = type;

        public IReadOnlyCollection<IConnectorType> Types => _types.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

        public IConnectorType Get(string type) =>
            _types.TryGetValue(type, out var found) ? found
            : throw new PscException("UnknownConnectorType", FailureCategory.InvalidArgument,
                $"The connector type '{type}' is not known. Available types: {string.Join(", ", _types.Keys.OrderBy(k => k))}.") { Target = type };
    }
}
