using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;
using PSCertConnector.Core;

namespace PSCertConnector.Module.Tests
{
    [Collection("module")]
    public sealed class SurfaceTests
    {
        private readonly ModuleUnderTest _m;
        public SurfaceTests(ModuleUnderTest module) => _m = module;

        // Get-Verb in Windows PowerShell 5.1.
        private static readonly HashSet<string> ApprovedVerbs = new(StringComparer.OrdinalIgnoreCase)
        {
            "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New", "Open", "Optimize",
            "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show", "Skip", "Split", "Step", "Switch",
            "Undo", "Unlock", "Watch", "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit",
            "Expand", "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore", "Save", "Sync",
            "Unpublish", "Update", "Approve", "Assert", "Complete", "Confirm", "Deny", "Disable", "Enable", "Install", "Invoke", "Register",
            "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait", "Debug", "Measure", "Ping",
            "Repair", "Resolve", "Test", "Trace", "Connect", "Disconnect", "Read", "Receive", "Send", "Write", "Block", "Grant", "Protect",
            "Revoke", "Unblock", "Unprotect", "Use",
        };

        private static readonly HashSet<string> ChangingVerbs = new(StringComparer.OrdinalIgnoreCase)
        {
            "New", "Set", "Remove", "Submit", "Receive", "Approve", "Deny", "Import", "Revoke", "Install", "Export",
        };

        private static readonly HashSet<string> CommonParameters = new(StringComparer.OrdinalIgnoreCase)
        {
            "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable", "InformationVariable",
            "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm", "ProgressAction",
        };

        [Fact]
        public void The_module_exports_the_cmdlets_users_asked_for()
        {
            _m.Cmdlets.Select(c => c.Name).Should().BeEquivalentTo(
                "New-CaConnector", "Get-CaConnector", "Set-CaConnector", "Remove-CaConnector", "Test-CaConnector", "Get-CaTemplate", "Get-CaEnrollmentService", "Find-AdcsEnrollmentService",
                "New-RaCertificateRequest", "Submit-AdcsRequest", "Get-AdcsOrder", "Receive-AdcsCertificate", "Remove-AdcsOrder",
                "Approve-AdcsRequest", "Deny-AdcsRequest", "Import-CaCertificate", "Get-CaCertificate", "Revoke-Certificate",
                "Install-RaCertificate", "Export-CaCertificate", "Get-CaStore", "Set-CaStore", "Update-CaStoreSchema", "New-CaStoreKey", "Update-CaStoreKey", "Submit-CaRenewal",
                "Invoke-CaMaintenance", "Get-CaEvent", "New-CaNotificationRule", "Get-CaNotificationRule", "Test-CaNotificationRule", "Remove-CaNotificationRule",
                "Export-CaConnectorConfiguration", "Import-CaConnectorConfiguration", "Register-CaMaintenanceTask", "New-CaHome",
                "New-CaPfxCertificate", "Protect-CaPfxCertificate", "Get-CaRevocationRequest");
        }

        [Fact]
        public void Every_cmdlet_follows_the_conventions()
        {
            foreach (var cmdlet in _m.Cmdlets)
            {
                ApprovedVerbs.Should().Contain(cmdlet.Verb, $"{cmdlet.Name} uses an approved verb");
                cmdlet.Type.IsSealed.Should().BeTrue($"{cmdlet.Name} is sealed");
                BaseNames(cmdlet.Type).Should().Contain("PSCmdlet", $"{cmdlet.Name} derives from PSCmdlet");
                cmdlet.Type.GetCustomAttributesData().Should().Contain(a => a.AttributeType.Name == "OutputTypeAttribute", $"{cmdlet.Name} declares OutputType");
                if (ChangingVerbs.Contains(cmdlet.Verb))
                    cmdlet.Named<bool>("SupportsShouldProcess").Should().BeTrue($"{cmdlet.Name} changes state and supports -WhatIf/-Confirm");
                if (cmdlet.Verb is "Remove" or "Revoke")
                    cmdlet.Named<int>("ConfirmImpact").Should().Be(3, $"{cmdlet.Name} is destructive (ConfirmImpact High)");
            }
        }

        [Fact]
        public void No_secret_is_a_plain_string_and_no_parameter_shadows_a_common_one()
        {
            foreach (var cmdlet in _m.Cmdlets)
                foreach (var p in cmdlet.Parameters)
                {
                    CommonParameters.Should().NotContain(p.Name, $"{cmdlet.Name} -{p.Name} would clash with a common parameter");
                    // A parameter naming where a secret is kept (-PasswordFile) is a path, not the secret.
                    // Import-CaConnectorConfiguration -Secret maps names to credentials (a Hashtable whose values it checks are
                    // PSCredential or SecureString, refusing anything else).
                    if (Regex.IsMatch(p.Name, "Password|Secret|ApiKey|Credential", RegexOptions.IgnoreCase) && !Regex.IsMatch(p.Name, "(File|Path)$"))
                        p.Property.PropertyType.Name.Should().BeOneOf(new[] { "SecureString", "PSCredential", "Hashtable" }, $"{cmdlet.Name} -{p.Name} holds a secret");
                }
        }

        [Fact]
        public void Parameter_sets_are_well_formed()
        {
            foreach (var cmdlet in _m.Cmdlets)
            {
                var parameters = cmdlet.Parameters.ToList();
                var sets = parameters.Select(p => p.SetName).Where(s => s != "__AllParameterSets").Distinct().ToList();
                foreach (var set in sets.DefaultIfEmpty("__AllParameterSets"))
                    parameters.Count(p => (p.SetName == set || p.SetName == "__AllParameterSets") && p.FromPipeline)
                        .Should().BeLessThanOrEqualTo(1, $"{cmdlet.Name} has at most one ValueFromPipeline parameter in set {set}");
                var defaultSet = cmdlet.Named<string>("DefaultParameterSetName");
                if (sets.Count > 1) defaultSet.Should().NotBeNull($"{cmdlet.Name} has several sets and needs a default");
                if (defaultSet != null) sets.Should().Contain(defaultSet, $"{cmdlet.Name}'s default set exists");
            }
        }

        [Fact]
        public void Pipelines_bind_by_the_properties_the_output_types_carry()
        {
            string[] Props(string type) => _m.Core.GetType(type)!.GetProperties().Select(p => p.Name).ToArray();
            bool ByName(string cmdlet, string parameter) =>
                _m.Cmdlets.Single(c => c.Name == cmdlet).Parameters.Any(p => (p.Name == parameter || Aliases(p).Contains(parameter)) && p.FromPipelineByName);

            Props("PSCertConnector.Core.Operations.CertificateRequestResult").Should().Contain("Csr");
            ByName("Submit-AdcsRequest", "Csr").Should().BeTrue();
            Props("PSCertConnector.Core.Store.OrderRecord").Should().Contain(new[] { "Id", "Connector", "RequestId" });
            ByName("Receive-AdcsCertificate", "Id").Should().BeTrue();
            Props("PSCertConnector.Core.Store.CertificateRecord").Should().Contain(new[] { "SerialNumber", "Thumbprint", "Connector" });
            ByName("Revoke-Certificate", "SerialNumber").Should().BeTrue();
            ByName("Revoke-Certificate", "Thumbprint").Should().BeTrue();
            ByName("Install-RaCertificate", "Thumbprint").Should().BeTrue();
            ByName("Submit-CaRenewal", "Thumbprint").Should().BeTrue("Get-CaCertificate -NeedsRenewal | Submit-CaRenewal binds each certificate");
            ByName("Test-CaConnector", "Name").Should().BeTrue();
            ByName("Import-CaCertificate", "Name").Should().BeTrue("Get-CaConnector | Import-CaCertificate binds the connector's Name");
        }

        [Fact]
        public void Connector_and_template_parameters_complete_their_names()
        {
            // A template name completes from the cache of the connector named on the same command, so only where there is one.
            foreach (var cmdlet in _m.Cmdlets)
                foreach (var p in cmdlet.Parameters.Where(p => p.Name == "Connector" || (p.Name == "Template" && cmdlet.Name != "Get-CaCertificate" && cmdlet.Parameters.Any(c => c.Name == "Connector"))))
                    p.Has("ArgumentCompleterAttribute").Should().BeTrue($"{cmdlet.Name} -{p.Name} offers completion");
            _m.Cmdlets.Single(c => c.Name == "New-CaConnector").Parameters.Single(p => p.Name == "Type").Has("ArgumentCompleterAttribute")
                .Should().BeTrue("the connector types complete with their descriptions");
        }

        [Fact]
        public void The_manifest_exports_exactly_the_cmdlets_in_the_dll()
        {
            var manifest = _m.Manifest;
            var block = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)").Groups["list"].Value;
            var exported = Regex.Matches(block, "'([^']+)'").Select(m => m.Groups[1].Value).ToList();
            exported.Should().BeEquivalentTo(_m.Cmdlets.Select(c => c.Name));
            exported.Should().NotContain(e => e.Contains('*'));
            manifest.Should().MatchRegex(@"CompatiblePSEditions\s*=\s*@\('Desktop',\s*'Core'\)");
            manifest.Should().MatchRegex(@"PowerShellVersion\s*=\s*'5\.1'");
            manifest.Should().MatchRegex(@"RootModule\s*=\s*'PSCertConnector\.psm1'");
            Regex.Match(manifest, @"ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value.Should().Be(_m.Assembly.GetName().Version!.ToString(3));
            manifest.Should().Contain("Tags").And.Contain("ProjectUri").And.Contain("LicenseUri");
            foreach (var key in new[] { "FunctionsToExport", "VariablesToExport", "AliasesToExport" })
                manifest.Should().MatchRegex(key + @"\s*=\s*@\(\)");
        }

        [Fact]
        public void The_built_layout_keeps_dependencies_out_of_the_root()
        {
            Directory.GetFiles(_m.Root, "*.dll").Select(Path.GetFileName).Should().Equal(new[] { "PSCertConnector.Loader.dll" },
                "only the loader loads into PowerShell's own context; everything else is isolated under dependencies/");
            File.Exists(Path.Combine(_m.Root, "PSCertConnector.psm1")).Should().BeTrue();
            var deps = Path.Combine(_m.Root, "dependencies");
            foreach (var name in new[] { "PSCertConnector.dll", "PSCertConnector.Core.dll", "Microsoft.Data.Sqlite.dll", "SQLitePCLRaw.core.dll" })
                File.Exists(Path.Combine(deps, name)).Should().BeTrue($"{name} ships in dependencies/");
            File.Exists(Path.Combine(deps, "runtimes", "win-x64", "native", "e_sqlite3.dll")).Should().BeTrue();
            File.Exists(Path.Combine(deps, "runtimes", "linux-x64", "native", "libe_sqlite3.so")).Should().BeTrue();
            Directory.GetFiles(_m.Root, "System.Management.Automation.dll", SearchOption.AllDirectories).Should().BeEmpty("PowerShell provides it");
            File.Exists(Path.Combine(_m.Root, "PSCertConnector.psd1")).Should().BeTrue();
            File.Exists(Path.Combine(_m.Root, "PSCertConnector.Format.ps1xml")).Should().BeTrue();
            File.Exists(Path.Combine(_m.Root, "en-US", "about_PSCertConnector.help.txt")).Should().BeTrue();
        }

        [Fact]
        public void No_bouncycastle_or_sqlite_type_appears_in_a_public_signature()
        {
            bool Foreign(Type t) => t.Assembly.GetName().Name is "BouncyCastle.Crypto" or "Microsoft.Data.Sqlite" or "SQLitePCLRaw.core";
            foreach (var assembly in new[] { _m.Assembly, _m.Core })
                foreach (var type in assembly.GetExportedTypes())
                {
                    foreach (var member in type.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly))
                    {
                        var types = member switch
                        {
                            System.Reflection.PropertyInfo p => new[] { p.PropertyType },
                            System.Reflection.MethodInfo m => m.GetParameters().Select(x => x.ParameterType).Append(m.ReturnType).ToArray(),
                            System.Reflection.ConstructorInfo c => c.GetParameters().Select(x => x.ParameterType).ToArray(),
                            System.Reflection.FieldInfo f => new[] { f.FieldType },
                            _ => Array.Empty<Type>(),
                        };
                        types.Where(Foreign).Should().BeEmpty($"{type.FullName}.{member.Name} is public");
                    }
                }
        }

        private static IEnumerable<string> Aliases(ParameterInfo parameter) =>
            parameter.Property.GetCustomAttributesData().Where(a => a.AttributeType.Name == "AliasAttribute")
                .SelectMany(a => (IEnumerable<System.Reflection.CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!)
                .Select(v => (string)v.Value!);

        private static IEnumerable<string> BaseNames(Type type)
        {
            for (var t = type.BaseType; t != null; t = t.BaseType) yield return t.Name;
        }
    }
}
