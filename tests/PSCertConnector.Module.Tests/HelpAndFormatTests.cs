using System.Xml.Linq;
using FluentAssertions;
using Xunit;

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
                foreach (var entry in table.Descendants("TableRowEntry").Concat(table.Descendants("TableColumnItem")))
                    entry.Elements().GroupBy(e => e.Name).Should().OnlyContain(g => g.Count() == 1, $"{view}: PowerShell refuses a row entry with a repeated element");
                var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").ToList();
                var widths = headers.Select(h => h.Element("Width")?.Value).ToList();
                widths.Should().NotContainNulls($"every column of {view} has a width, so the table cannot grow past the terminal");
                (widths.Sum(w => int.Parse(w!)) + headers.Count - 1).Should().BeLessThanOrEqualTo(120, view);
                var items = table.Descendants("TableColumnItem").ToList();
                for (int i = 0; i < items.Count; i++)
                {
                    var property = items[i].Element("PropertyName")?.Value.Trim();
                    if (property == "SerialNumber") int.Parse(widths[i]!).Should().BeGreaterThanOrEqualTo(32, $"{view} shows a 16-byte serial whole");
                    if (property == "Thumbprint") int.Parse(widths[i]!).Should().BeGreaterThanOrEqualTo(40, $"{view} shows a SHA-1 thumbprint whole");
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
