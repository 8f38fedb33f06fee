using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Connectors.Embedded
{
    internal sealed class LocalConnectorType : IConnectorType
    {
        public string Name => LocalConnector.TypeName;
        public string Description => "The embedded CA: a root and issuing CA kept in the home folder, no server needed.";

        public IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["caName"] = "Name used in the CA subjects and published file names (default: the connector name).",
            ["path"] = "Folder of the CA (default: <home>/ca/<connector name>).",
            ["publicationBaseUrl"] = "URL prefix written into CDP and AIA extensions (default: a file: URL of the CA's pub folder).",
            ["keyAlgorithm"] = "CA key algorithm: RSA (default), ECDSA_P256 or ECDSA_P384.",
            ["crlValidityDays"] = "Days until a CRL's next update (default 7).",
        };

        public void Validate(ConnectorDefinition definition)
        {
            ConnectorSettings.RejectUnknown(this, definition);
            ParseSettings(definition);
        }

        private static EmbeddedCaSettings ParseSettings(ConnectorDefinition definition)
        {
            var s = new Dictionary<string, string>(definition.Settings.ToDictionary(k => k.Key, k => k.Value), StringComparer.OrdinalIgnoreCase);
            var settings = new EmbeddedCaSettings { Name = s.TryGetValue("caName", out var n) && n.Length > 0 ? n : definition.Name };
            if (s.TryGetValue("publicationBaseUrl", out var url))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out _))
                    throw new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"publicationBaseUrl '{url}' is not an absolute URL (e.g. http://pki.contoso.com/pki/).");
                settings = settings with { PublicationBaseUrl = url };
            }
            if (s.TryGetValue("keyAlgorithm", out var alg))
            {
                settings = settings with
                {
                    KeyAlgorithm = alg.ToUpperInvariant() switch
                    {
                        "RSA" => KeyAlgorithm.Rsa,
                        "ECDSA_P256" or "ECDSAP256" => KeyAlgorithm.EcdsaP256,
                        "ECDSA_P384" or "ECDSAP384" => KeyAlgorithm.EcdsaP384,
                        _ => throw new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"keyAlgorithm '{alg}' should be RSA, ECDSA_P256 or ECDSA_P384."),
                    },
                };
            }
            if (s.TryGetValue("crlValidityDays", out var days))
            {
                if (!int.TryParse(days, out var d) || d < 1 || d > 3650)
                    throw new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"crlValidityDays '{days}' should be a whole number of days from 1 to 3650.");
                settings = settings with { CrlValidity = TimeSpan.FromDays(d) };
            }
            return settings;
        }

        public ConnectorDefinition Prepare(ConnectorDefinition definition, string home)
        {
            var settings = new Dictionary<string, string>(definition.Settings.ToDictionary(k => k.Key, k => k.Value), StringComparer.OrdinalIgnoreCase);
            if (!settings.ContainsKey("path")) settings["path"] = Path.Combine(home, "ca", FolderName(definition.Name));
            if (!settings.ContainsKey("caName")) settings["caName"] = definition.Name;
            return definition with { Settings = settings };
        }

        public IReadOnlyCollection<string> FixedSettings { get; } = new[] { "path", "caName", "keyAlgorithm" };

        public ICaConnector Open(ConnectorDefinition definition, ConnectorSecrets secrets, string home, ISecretProtector protector, bool creating)
        {
            var folder = definition.Settings.TryGetValue("path", out var path) && path.Length > 0
                ? path
                : Path.Combine(home, "ca", FolderName(definition.Name));
            return new LocalConnector(EmbeddedCertificateAuthority.OpenOrCreate(folder, protector, ParseSettings(definition), allowCreate: creating));
        }

        private static string FolderName(string name) =>
            new string(name.Select(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' ? c : '-').ToArray());
    }
}
