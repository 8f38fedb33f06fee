using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Connectors.Dcom
{
    /// <summary>
    /// The adcs-dcom connector type: a CA configuration string (host\CA name) and the COM seam to reach it.
    /// The seam is the Windows COM objects unless another is given (tests and benchmarks give an in-memory one).
    /// </summary>
    internal sealed class DcomConnectorType : IConnectorType
    {
        private readonly Func<ICertificateAuthorityCom>? _seam;

        /// <param name="seam">Creates the COM seam; null uses CertCli/CertAdm, which only Windows has.</param>
        public DcomConnectorType() : this(null) { }

        public DcomConnectorType(Func<ICertificateAuthorityCom>? seam) => _seam = seam;

        public string Name => DcomConnector.TypeName;
        public string Description => "AD CS over DCOM on Windows (CertCli/CertAdm, as certreq and the CA console use): every capability, including approve, deny, revoke and import.";

        public IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["config"] = "The CA configuration string host\\CA name, as certutil -dump shows it (e.g. ca01.contoso.com\\Contoso Issuing CA).",
            ["host"] = "The CA's host name (with caName, instead of config).",
            ["caName"] = "The CA's name (with host, instead of config).",
        };

        public IReadOnlyCollection<string> FixedSettings { get; } = Array.Empty<string>();

        public void Validate(ConnectorDefinition definition) => Config(definition);

        /// <summary>host\CA name from the config setting, or from host and caName.</summary>
        internal string Config(ConnectorDefinition definition)
        {
            var settings = definition.Settings.ToDictionary(k => k.Key, k => k.Value?.Trim() ?? "", StringComparer.OrdinalIgnoreCase);
            ConnectorSettings.RejectUnknown(Name, Settings, settings.Keys);
            string config;
            if (settings.TryGetValue("config", out var c) && c.Length > 0) config = c;
            else if (settings.TryGetValue("host", out var h) && h.Length > 0 && settings.TryGetValue("caName", out var n) && n.Length > 0) config = h + "\\" + n;
            else
                throw new PscException("SettingRequired", FailureCategory.InvalidArgument,
                    "An 'adcs-dcom' connector needs the setting 'config' (host\\CA name, e.g. --setting \"config=ca01.contoso.com\\Contoso Issuing CA\"), or 'host' and 'caName'.") { Target = "config" };
            var slash = config.IndexOf('\\');
            if (slash <= 0 || slash == config.Length - 1 || config.IndexOf('\\', slash + 1) >= 0 || Uri.CheckHostName(config.Substring(0, slash)) == UriHostNameType.Unknown)
                throw new PscException("InvalidSetting", FailureCategory.InvalidArgument,
                    $"The CA configuration '{config}' is not valid: expected host\\CA name with one backslash, e.g. ca01.contoso.com\\Contoso Issuing CA.") { Target = "config" };
            return config;
        }

        public ConnectorDefinition Prepare(ConnectorDefinition definition, string home) => definition;

        public ICaConnector Open(ConnectorDefinition definition, ConnectorSecrets secrets, string home, ISecretProtector protector, bool creating)
        {
            var config = Config(definition);
            if (_seam != null) return new DcomConnector(config, _seam());
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                throw new PscException("DcomRequiresWindows", FailureCategory.NotImplemented,
                    "An 'adcs-dcom' connector talks to the CA through the Windows CertCli and CertAdm COM objects, which exist only on Windows. " +
                    "From this host, reach the CA over HTTPS with an 'adcs-ces' (Certificate Enrollment Web Services) or 'adcs-web' (/certsrv) connector.") { Target = definition.Name };
            return new DcomConnector(config, new ComCertificateAuthority());
        }

        internal static PscException CertAdmMissing(Exception? inner) =>
            new PscException("CertAdmNotInstalled", FailureCategory.NotImplemented,
                "The CA administration COM objects (CertAdm.dll) are not installed. Install the AD CS management tools: on Windows Server " +
                "'Install-WindowsFeature RSAT-ADCS-Mgmt', on Windows client 'Add-WindowsCapability -Online -Name Rsat.CertificateServices.Tools~~~~0.0.1.0'.", inner);
    }
}
