using System.Xml.Linq;
using FluentAssertions;
using Xunit;
using PSCertConnector.Core;

namespace PSCertConnector.Module.Tests
{
    [Collection("module")]
    public sealed class HelpAndFormatTests
    {
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        private readonly ModuleUnderTest _m;

        public HelpAndFormatTests(ModuleUnderTest module) => _m = module;

        private XElement HelpFor(string name) =>
            _m.Help.Descendants(Command + "command").SingleOrDefault(c => c.Element(Command + "details")?.Element(Command + "name")?.Value.Trim() == name)
            ?? throw new Xunit.Sdk.XunitException($"no MAML help for {name}");

        [Fact]
        public void Every_cmdlet_has_a_synopsis_a_description_and_a_real_example()
        {
            foreach (var cmdlet in _m.Cmdlets)
            {
                var help = HelpFor(cmdlet.Name);
                help.Element(Command + "details")!.Element(Maml + "description")!.Value.Trim().Should().NotBeEmpty($"{cmdlet.Name} has a synopsis");
                help.Element(Maml + "description")!.Value.Trim().Length.Should().BeGreaterThan(20, $"{cmdlet.Name} has a description");
                var examples = help.Descendants(Command + "example").ToList();
                examples.Should().NotBeEmpty($"{cmdlet.Name} has an example");
                examples.Select(e => e.Element(Dev + "code")!.Value).Should().Contain(code => code.Contains(cmdlet.Name), $"an example of {cmdlet.Name} runs it");
            }
        }

        [Fact]
        public void Every_cmdlet_that_confirms_by_default_shows_how_automation_runs_it_without_a_prompt()
        {
            // ConfirmImpact High (3) asks even without -Confirm, and fails in a runbook or scheduled task unless -Confirm:$false is given.
            var confirming = _m.Cmdlets.Where(c => c.Named<object>("ConfirmImpact") is int impact && impact == 3).ToList();
            confirming.Select(c => c.Name).Should().Contain(new[] { "Revoke-Certificate", "Remove-CaConnector", "Remove-CaNotificationRule" });
            foreach (var cmdlet in confirming)
                HelpFor(cmdlet.Name).Value.Should().Contain("-Confirm:$false", $"{cmdlet.Name}'s help shows how a runbook runs it without a prompt");
        }

        [Fact]
        public void Every_parameter_is_documented_as_the_attributes_declare_it()
        {
            foreach (var cmdlet in _m.Cmdlets)
            {
                var documented = HelpFor(cmdlet.Name).Element(Command + "parameters")?.Elements(Command + "parameter")
                    .ToDictionary(p => p.Element(Maml + "name")!.Value.Trim(), StringComparer.OrdinalIgnoreCase) ?? new();
                foreach (var group in cmdlet.Parameters.GroupBy(p => p.Name))
                {
                    documented.Should().ContainKey(group.Key, $"{cmdlet.Name} -{group.Key} is documented");
                    var doc = documented[group.Key];
                    doc.Element(Maml + "description")!.Value.Trim().Should().NotBeEmpty($"{cmdlet.Name} -{group.Key} is described");
                    bool required = group.Any(p => p.Mandatory);
                    doc.Attribute("required")!.Value.Should().Be(required ? "true" : "false", $"{cmdlet.Name} -{group.Key} required");
                    var position = group.Select(p => p.Position).FirstOrDefault(p => p.HasValue);
                    doc.Attribute("position")!.Value.Should().BeEquivalentTo(position?.ToString() ?? "named", $"{cmdlet.Name} -{group.Key} position");
                    var pipeline = doc.Attribute("pipelineInput")!.Value;
                    bool byValue = group.Any(p => p.FromPipeline), byName = group.Any(p => p.FromPipelineByName);
                    pipeline.StartsWith("True", StringComparison.OrdinalIgnoreCase).Should().Be(byValue || byName, $"{cmdlet.Name} -{group.Key} pipeline input");
                    if (byName) pipeline.Should().Contain("ByPropertyName");
                    if (byValue) pipeline.Should().Contain("ByValue");
                }
                // WhatIf and Confirm come from SupportsShouldProcess, not from a property: documented exactly where it is set.
                var shouldProcess = cmdlet.Named<bool>("SupportsShouldProcess");
                var declared = cmdlet.Parameters.Select(p => p.Name).Concat(shouldProcess ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>());
                documented.Keys.Should().BeSubsetOf(declared, $"{cmdlet.Name}'s help documents no parameter it lacks");
                if (shouldProcess) documented.Keys.Should().Contain(new[] { "WhatIf", "Confirm" }, $"{cmdlet.Name} supports ShouldProcess");
            }
        }

        [Fact]
        public void Every_format_view_selects_an_output_type_name_and_shows_real_properties()
        {
            var views = _m.Format.Descendants("View").ToList();
            views.Should().NotBeEmpty();
            var byName = PSCertConnector.Commands.OutputTypeNames.All.ToDictionary(p => p.Value, p => p.Key.FullName!);
            var typesWithViews = new HashSet<string>();
            foreach (var view in views)
            {
                var typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value.Trim();
                byName.Should().ContainKey(typeName, $"view '{view.Element("Name")?.Value}' selects a name the cmdlets give their output");
                var type = _m.Core.GetType(byName[typeName]) ?? _m.Assembly.GetType(byName[typeName]);
                type.Should().NotBeNull(byName[typeName]);
                typesWithViews.Add(typeName);
                var properties = type!.GetProperties().Select(p => p.Name).ToHashSet();
                foreach (var property in view.Descendants("PropertyName"))
                    properties.Should().Contain(property.Value.Trim(), $"{typeName} has the property the view shows");
                foreach (var script in view.Descendants("ScriptBlock"))
                    foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(script.Value, @"\$_\.(\w+)"))
                        properties.Should().Contain(m.Groups[1].Value, $"{typeName} has the property a script column reads");
            }
            typesWithViews.Should().BeEquivalentTo(byName.Keys, "every output type has a view");
            var certificateTable = views.First(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value.Trim() == "PSCertConnector.Certificate" && v.Element("TableControl") != null);
            certificateTable.Descendants("PropertyName").Select(p => p.Value.Trim()).Should().Contain(new[] { "DaysToExpiry", "Status", "SerialNumber" });
        }

        [Fact]
        public void Every_table_fits_120_columns_and_shows_serials_and_thumbprints_whole()
        {
            foreach (var table in _m.Format.Descendants("TableControl"))
            {
                var view = table.Parent!.Element("Name")!.Value;
                var typeName = table.Parent!.Element("ViewSelectedBy")!.Element("TypeName")!.Value.Trim();
                var clrName = PSCertConnector.Commands.OutputTypeNames.All.Where(p => p.Value == typeName).Select(p => p.Key.FullName!).FirstOrDefault();
                var type = clrName == null ? null : _m.Core.GetType(clrName) ?? _m.Assembly.GetType(clrName);
                foreach (var entry in table.Descendants("TableRowEntry").Concat(table.Descendants("TableColumnItem")))
                    entry.Elements().GroupBy(e => e.Name).Should().OnlyContain(g => g.Count() == 1, $"{view}: PowerShell refuses a row entry with a repeated element");
                var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").ToList();
                var widths = headers.Select(h => h.Element("Width")?.Value).ToList();
                widths.Should().NotContainNulls($"every column of {view} has a width, so the table cannot grow past the terminal");
                (widths.Sum(w => int.Parse(w!)) + headers.Count - 1).Should().BeLessThanOrEqualTo(120, view);
                var items = table.Descendants("TableColumnItem").ToList();
                for (int i = 0; i < items.Count; i++)
                {
                    var property = ShownProperty(items[i]);
                    if (property == "SerialNumber") int.Parse(widths[i]!).Should().BeGreaterThanOrEqualTo(32, $"{view} shows a 16-byte serial whole");
                    int width = int.Parse(widths[i]!);
                    var label = headers[i].Element("Label")?.Value.Trim() ?? property ?? "";
                    label.Length.Should().BeLessThanOrEqualTo(width, $"{view}'s header {label} fits its column");
                    // An enum column (Status, Mode, Format...) shows its longest value whole, e.g. IssuedOutOfBand.
                    var propertyType = property == null ? null : type?.GetProperty(property)?.PropertyType;
                    if (propertyType != null) propertyType = Nullable(propertyType);
                    if (propertyType is { IsEnum: true })
                        width.Should().BeGreaterThanOrEqualTo(propertyType.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static).Max(f => f.Name.Length),
                            $"{view} shows every {propertyType.Name} value whole");
                    if (property == "Template")
                        width.Should().BeGreaterThanOrEqualTo("WebServerApproval".Length, $"{view} shows the embedded CA's template names whole");
                    if (property == "Thumbprint") int.Parse(widths[i]!).Should().BeGreaterThanOrEqualTo(40, $"{view} shows a SHA-1 thumbprint whole");
                }
            }
        }

        /// <summary>The property a column or list item shows: its PropertyName, or the one its escaping script block reads.</summary>
        private static string? ShownProperty(XElement item)
        {
            if (item.Element("PropertyName") is { } property) return property.Value.Trim();
            var m = System.Text.RegularExpressions.Regex.Match(item.Element("ScriptBlock")?.Value ?? "", @"^\[PSCertConnector\.Core\.DisplayText\]::Escape\(\$_\.(\w+)[,)]");
            return m.Success ? m.Groups[1].Value : null;
        }

        /// <summary>Text columns whose values we make (hex identifiers, our PEM): nothing in them needs escaping.</summary>
        private static readonly HashSet<string> OurOwnText = new() { "SerialNumber", "Thumbprint", "ThumbprintSha256", "CaThumbprint", "KeyId", "CsrPem", "IssuerKey", "SubmissionId" };

        [Fact]
        public void Every_text_a_certificate_ca_or_user_supplies_is_escaped_in_every_view()
        {
            var byName = PSCertConnector.Commands.OutputTypeNames.All.ToDictionary(p => p.Value, p => p.Key.FullName!);
            int escaped = 0;
            foreach (var view in _m.Format.Descendants("View"))
            {
                var typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value.Trim();
                var type = _m.Core.GetType(byName[typeName]) ?? _m.Assembly.GetType(byName[typeName])!;
                bool list = view.Element("ListControl") != null;
                foreach (var item in view.Descendants("TableColumnItem").Concat(view.Descendants("ListItem")))
                {
                    var property = item.Element("PropertyName")?.Value.Trim();
                    if (property != null)
                    {
                        if (type.GetProperty(property)!.PropertyType.FullName == "System.String")
                            OurOwnText.Should().Contain(property, $"{view.Element("Name")!.Value} shows the text {property} raw: show it through DisplayText.Escape");
                        continue;
                    }
                    var script = item.Element("ScriptBlock")!.Value.Trim();
                    bool textual = script.Contains("-join") || script.Contains("$_.Path") || script == "$_.Template.Oid";
                    if (!textual && !script.StartsWith("[PSCertConnector.Core.DisplayText]::Escape(")) continue;
                    script.Should().StartWith("[PSCertConnector.Core.DisplayText]::Escape(", $"{view.Element("Name")!.Value}'s column '{script}' builds text from data");
                    // A list shows each value on its own lines, so it is capped there (a table's width caps it).
                    if (list && !script.Contains("[Environment]::NewLine)")) script.Should().EndWith(", 1000)", "a list item is capped");
                    escaped++;
                }
            }
            escaped.Should().BeGreaterThan(40);
        }

        // ---- Syntax: one MAML syntax item per parameter set, as Get-Command -Syntax shows them.

        private const string AllSets = "__AllParameterSets";

        /// <summary>The cmdlet's parameter sets as PowerShell builds them from the attributes: every named set (and the
        /// default set, even when no parameter names it), each with its own parameters and those of every set.</summary>
        private static List<(string Name, List<ParameterInfo> Parameters)> ParameterSets(CmdletInfo cmdlet)
        {
            var all = cmdlet.Parameters.ToList();
            var names = all.Select(p => p.SetName).Where(n => n != AllSets).Distinct().ToList();
            var defaultSet = cmdlet.Named<string>("DefaultParameterSetName");
            if (defaultSet != null && !names.Contains(defaultSet)) names.Add(defaultSet);
            if (names.Count == 0) names.Add(AllSets);
            return names.Select(set => (set, all.Where(p => p.SetName == set || p.SetName == AllSets)
                .GroupBy(p => p.Name).Select(g => g.FirstOrDefault(p => p.SetName == set) ?? g.First()).ToList())).ToList();
        }

        /// <summary>The type name Get-Help shows for a parameter value: Nullable unwrapped, arrays as Element[]; none for a switch.</summary>
        private static string? ValueTypeName(Type type)
        {
            if (type.FullName == "System.Management.Automation.SwitchParameter") return null;
            type = Unwrapped(type);
            return type.IsArray ? type.GetElementType()!.Name + "[]" : type.Name;
        }

        private static Type Nullable(Type type) => Unwrapped(type);

        private static Type Unwrapped(Type type) =>
            type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1" ? type.GetGenericArguments()[0] : type;

        private static string? ParameterValue(XElement parameter) => parameter.Element(Command + "parameterValue")?.Value.Trim();

        [Fact]
        public void Every_syntax_item_is_one_parameter_set_of_the_cmdlet()
        {
            foreach (var cmdlet in _m.Cmdlets)
            {
                var items = HelpFor(cmdlet.Name).Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
                var sets = ParameterSets(cmdlet);
                items.Should().HaveCount(sets.Count, $"{cmdlet.Name} has {sets.Count} parameter set(s), each with its syntax item");
                bool shouldProcess = cmdlet.Named<bool>("SupportsShouldProcess");
                var defaultSet = cmdlet.Named<string>("DefaultParameterSetName");
                var unmatched = items.ToList();
                foreach (var (set, parameters) in sets)
                {
                    var expected = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                    var item = unmatched.FirstOrDefault(i => i.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value.Trim())
                        .Where(n => n is not ("WhatIf" or "Confirm")).ToHashSet().SetEquals(expected));
                    item.Should().NotBeNull($"{cmdlet.Name} has a syntax item with exactly the parameters of set '{set}': {string.Join(", ", expected)}");
                    unmatched.Remove(item!);
                    if (set == defaultSet && sets.Count > 1)
                        items.IndexOf(item!).Should().Be(0, $"{cmdlet.Name}'s default set '{set}' comes first, as in Get-Command -Syntax");

                    var shown = item!.Elements(Command + "parameter").ToList();
                    var names = shown.Select(p => p.Element(Maml + "name")!.Value.Trim()).ToList();
                    names.Should().OnlyHaveUniqueItems($"{cmdlet.Name} set '{set}' lists each parameter once");
                    foreach (var element in shown)
                    {
                        var name = element.Element(Maml + "name")!.Value.Trim();
                        if (name is "WhatIf" or "Confirm")
                        {
                            element.Attribute("required")!.Value.Should().Be("false", $"{cmdlet.Name} -{name}");
                            element.Attribute("position")!.Value.Should().BeEquivalentTo("named", $"{cmdlet.Name} -{name}");
                            ParameterValue(element).Should().BeNull($"{cmdlet.Name} -{name} is a switch");
                            continue;
                        }
                        var parameter = parameters.Single(p => p.Name == name);
                        element.Attribute("required")!.Value.Should().Be(parameter.Mandatory ? "true" : "false", $"{cmdlet.Name} -{name} in set '{set}'");
                        element.Attribute("position")!.Value.Should().BeEquivalentTo(parameter.Position?.ToString() ?? "named", $"{cmdlet.Name} -{name} in set '{set}'");
                        ParameterValue(element).Should().Be(ValueTypeName(parameter.Property.PropertyType), $"{cmdlet.Name} -{name} shows its type as Get-Command does");
                    }
                    // WhatIf and Confirm come from SupportsShouldProcess; the common parameters are Get-Help's [<CommonParameters>].
                    if (shouldProcess) names.TakeLast(2).Should().Equal(new[] { "WhatIf", "Confirm" }, $"{cmdlet.Name} supports ShouldProcess: -WhatIf and -Confirm close every syntax item");
                    else names.Should().NotContain(new[] { "WhatIf", "Confirm" }, $"{cmdlet.Name} does not support ShouldProcess");
                    names.Intersect(new[] { "Verbose", "Debug", "ErrorAction", "ErrorVariable", "WarningAction", "WarningVariable", "InformationAction",
                        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "ProgressAction" })
                        .Should().BeEmpty($"{cmdlet.Name}: Get-Help adds [<CommonParameters>] itself");

                    // Get-Command's order: positional parameters by position, then the mandatory named ones, then the others.
                    var own = names.Where(n => n is not ("WhatIf" or "Confirm")).Select(n => parameters.Single(p => p.Name == n)).ToList();
                    var rank = own.Select(p => p.Position.HasValue ? (0, p.Position.Value) : p.Mandatory ? (1, 0) : (2, 0)).ToList();
                    rank.Should().BeInAscendingOrder(Comparer<(int, int)>.Default, $"{cmdlet.Name} set '{set}' lists its parameters in Get-Command's order");
                }
            }
        }

        [Fact]
        public void Every_parameter_shows_its_real_type()
        {
            foreach (var cmdlet in _m.Cmdlets)
            {
                var documented = HelpFor(cmdlet.Name).Element(Command + "parameters")!.Elements(Command + "parameter")
                    .ToDictionary(p => p.Element(Maml + "name")!.Value.Trim());
                foreach (var parameter in cmdlet.Parameters.GroupBy(p => p.Name).Select(g => g.First()))
                {
                    var doc = documented[parameter.Name];
                    var type = parameter.Property.PropertyType;
                    var value = ParameterValue(doc);
                    value.Should().Be(ValueTypeName(type), $"{cmdlet.Name} -{parameter.Name} has the type of its property");
                    if (value != null) value.Should().MatchRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\[\])?$", $"{cmdlet.Name} -{parameter.Name}: no garbled type such as Int32]");
                    doc.Element(Dev + "type")?.Element(Maml + "name")?.Value.Trim().Should().Be(Unwrapped(type).FullName, $"{cmdlet.Name} -{parameter.Name}'s full type");
                    doc.Attribute("variableLength")!.Value.Should().Be(type.IsArray ? "true" : "false", $"{cmdlet.Name} -{parameter.Name} takes {(type.IsArray ? "several values" : "one value")}");
                    doc.Attribute("globbing")!.Value.Should().Be(parameter.Has("SupportsWildcardsAttribute") ? "true" : "false", $"{cmdlet.Name} -{parameter.Name} wildcards");
                }
            }
        }

        [Fact]
        public void Help_examples_work_on_every_OS_and_name_cmdlets_not_CLI_commands()
        {
            var help = _m.Help;
            var about = File.ReadAllText(Path.Combine(_m.Root, "en-US", "about_PSCertConnector.help.txt"));
            foreach (var example in help.Descendants(Command + "example"))
            {
                var code = example.Element(Dev + "code")!.Value;
                var title = example.Element(Maml + "title")!.Value.Trim();
                title.Should().MatchRegex(@"^-+ Example \d+: .+ -+$", "examples are numbered");
                code.Should().NotMatchRegex(@"(?<![A-Za-z])[A-Za-z]:\\", $"{title}: no drive-letter path, which only Windows has");
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(code, @"-(?:FilePath|InfPath|CsrPath|OutFile|Path|LiteralPath)\s+(""[^""]*""|'[^']*'|\S+)"))
                    m.Groups[1].Value.Should().NotContain("\\", $"{title}: paths use / (or Join-Path), which every OS takes");
                code.Should().NotMatchRegex(@"\b[0-9a-fA-F]{16}\b(?![0-9a-fA-F])", $"{title}: no made-up serial number; take it from the inventory so the example runs as printed");
            }
            foreach (var example in help.Descendants(Command + "examples"))
                example.Elements(Command + "example").Select(e => System.Text.RegularExpressions.Regex.Match(e.Element(Maml + "title")!.Value, @"Example (\d+)").Groups[1].Value)
                    .Should().Equal(Enumerable.Range(1, example.Elements(Command + "example").Count()).Select(i => i.ToString()), "examples are numbered in order");

            // PowerShell help names cmdlets: no certconnector subcommand, no quoted CLI command, no --option.
            var texts = help.Descendants().Where(e => !e.HasElements).Select(e => e.Value).Append(about).ToList();
            foreach (var text in texts)
            {
                text.Should().NotMatchRegex(@"\bcertconnector\s+(?!tool\b|command-line\b)[a-z]", "the help names the cmdlet, not a certconnector command");
                text.Should().NotMatchRegex(@"'(connector|cert|order|request|template|import|lab|intune)\s+[a-z-]+'", "the help names the cmdlet, not a CLI command");
                text.Should().NotMatchRegex(@"(?<![-\w])--[a-z]", "the help shows PowerShell parameters, not CLI options");
                text.Should().NotMatchRegex(@"(?<![A-Za-z])[A-Za-z]:\\(?!\$)", "no drive-letter path, which only Windows has");
            }
            foreach (var line in about.Split('\n'))
                line.TrimEnd('\r').Length.Should().BeLessThanOrEqualTo(80, $"the about topic reads in an 80-column console: '{line.Trim()}'");
        }

        [Fact]
        public void Help_documents_the_recent_parameter_changes()
        {
            string Param(string cmdlet, string name) => HelpFor(cmdlet).Element(Command + "parameters")!.Elements(Command + "parameter")
                .Single(p => p.Element(Maml + "name")!.Value.Trim() == name).Element(Maml + "description")!.Value;
            var export = HelpFor("Export-CaCertificate");
            Param("Export-CaCertificate", "Force").Should().Contain("FileExists");
            Param("Export-CaCertificate", "LegacyEncryption").Should().Contain("Windows Server 2016").And.Contain("1709");
            export.Element(Maml + "description")!.Value.Should().Contain("AES-256-CBC").And.Contain("PBKDF2-HMAC-SHA256");
            export.Element(Command + "returnValues")!.Value.Should().Contain("PSCertConnector.Core.Operations.ExportedFile").And.Contain("PSCertConnector.ExportedFile");
            export.Descendants(Dev + "code").Should().Contain(c => c.Value.Contains("-LegacyEncryption") && c.Value.Contains("-Force"), "an example shows both");
            Param("New-RaCertificateRequest", "Subject").Should().Contain("not mandatory").And.Contain("IntuneSubjectFormat");
            Param("New-RaCertificateRequest", "KeyLength").Should().Contain("Tab completion").And.Contain("EcdsaP256");
            Param("Get-CaCertificate", "Name").Should().Contain("whole, ignoring case").And.Contain("wildcard");
            foreach (var cmdlet in new[] { "New-CaConnector", "Set-CaConnector" })
                Param(cmdlet, "Credential").Should().Contain("'user' setting", $"{cmdlet} -Credential says where its user name goes");
        }

        // ---- Format views: a table to scan, a list for the details, no raw bytes.

        [Fact]
        public void Every_output_type_opens_with_a_table_and_has_a_list_for_what_the_table_leaves_out()
        {
            var views = _m.Format.Descendants("View").ToList();
            foreach (var (type, name) in PSCertConnector.Commands.OutputTypeNames.All)
            {
                var mine = views.Where(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value.Trim() == name).ToList();
                mine.First().Element("TableControl").Should().NotBeNull($"{name}'s first view, the default, is a table");
                var coreType = (_m.Core.GetType(type.FullName!) ?? _m.Assembly.GetType(type.FullName!))!;
                var table = mine.First();
                var shown = table.Descendants("PropertyName").Select(p => p.Value.Trim())
                    .Concat(table.Descendants("ScriptBlock").SelectMany(s => System.Text.RegularExpressions.Regex.Matches(s.Value, @"\$_\.(\w+)").Select(m => m.Groups[1].Value)))
                    .ToHashSet();
                var left = coreType.GetProperties().Select(p => p.Name).Where(p => !shown.Contains(p)).ToList();
                if (left.Count > 0)
                    mine.Should().Contain(v => v.Element("ListControl") != null, $"{name}'s table leaves out {string.Join(", ", left)}: a list view shows them");
                foreach (var property in views.Where(v => mine.Contains(v)).SelectMany(v => v.Descendants("PropertyName")))
                {
                    var propertyType = coreType.GetProperty(property.Value.Trim())!.PropertyType;
                    bool bytes = propertyType.FullName == "System.Byte[]" || (propertyType.IsGenericType && propertyType.GetGenericArguments().Any(a => a.FullName == "System.Byte[]"));
                    bytes.Should().BeFalse($"{name} shows {property.Value.Trim()} as raw bytes; a view shows what an admin reads");
                }
            }
        }

        [Fact]
        public void The_about_topic_exists_with_its_sections()
        {
            var about = File.ReadAllText(Path.Combine(_m.Root, "en-US", "about_PSCertConnector.help.txt"));
            about.Should().Contain("about_PSCertConnector").And.Contain("SHORT DESCRIPTION").And.Contain("LONG DESCRIPTION").And.Contain("PSCERTCONNECTOR_HOME");
            // Every connector type the registry offers is explained in the about topic and in New-CaConnector's help.
            var help = File.ReadAllText(Path.Combine(_m.Root, "en-US", "PSCertConnector.dll-Help.xml"));
            foreach (var type in PSCertConnector.Core.Connectors.ConnectorRegistry.CreateDefault().Types)
            {
                about.Should().Contain("\"" + type.Name + "\"", $"the about topic explains the '{type.Name}' type");
                help.Should().Contain("'" + type.Name + "'", $"New-CaConnector's help names the '{type.Name}' type");
            }
        }
    }
}
