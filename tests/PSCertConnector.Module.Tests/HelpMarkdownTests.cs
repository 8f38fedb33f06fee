using System.Xml.Linq;
using FluentAssertions;
using PSCertConnector.HelpCompiler;
using Xunit;

namespace PSCertConnector.Module.Tests
{
    /// <summary>
    /// The help is written as markdown in docs/en-US and compiled into the module's MAML by the build: the pages are in
    /// the one form the compiler writes (so Update-HelpSyntax.ps1 rewrites nothing a person wrote), the module carries
    /// exactly what they say, and a broken page stops the build naming the file and what is wrong.
    /// </summary>
    public sealed class HelpMarkdownTests : IClassFixture<ModuleUnderTest>
    {
        private readonly ModuleUnderTest _m;
        public HelpMarkdownTests(ModuleUnderTest m) => _m = m;

        private string Docs => Path.Combine(_m.RepoRoot, "docs", "en-US");

        [Fact]
        public void Every_page_reads_and_writes_back_unchanged()
        {
            var pages = Directory.GetFiles(Docs, "*.md");
            pages.Should().HaveCount(_m.Cmdlets.Count, "every cmdlet has one page");
            foreach (var page in pages)
            {
                var text = File.ReadAllText(page);
                Markdown.Write(Markdown.Read(text, Path.GetFileName(page))).Should().Be(text, Path.GetFileName(page) + " is in the compiler's own form");
            }
        }

        [Fact]
        public void The_module_help_is_the_docs_compiled()
        {
            var compiled = Maml.Write(Program.ReadDocs(Docs), withSetNames: false);
            XNode.DeepEquals(Normalized(compiled), Normalized(_m.Help)).Should().BeTrue("output/…/en-US holds what docs/en-US says");
            File.ReadAllText(Path.Combine(_m.Root, "en-US", "about_PSCertConnector.help.txt"))
                .Should().Be(File.ReadAllText(Path.Combine(Docs, "about_PSCertConnector.help.txt")));
        }

        [Fact]
        public void Markdown_survives_the_trip_through_maml()
        {
            var commands = Program.ReadDocs(Docs);
            var back = Maml.Read(Maml.Write(commands, withSetNames: true)).ToList();
            back.Select(Markdown.Write).Should().Equal(commands.Select(Markdown.Write));
        }

        [Fact]
        public void A_syntax_that_disagrees_with_the_parameter_yaml_is_refused_with_the_file_and_parameter()
        {
            var text = File.ReadAllText(Path.Combine(Docs, "Revoke-Certificate.md"));
            // The syntax keeps -EffectiveDate optional while its yaml now says it is required.
            var broken = ReplaceYamlField(text, "### -EffectiveDate", "Required: False", "Required: True");
            var act = () => Markdown.Read(broken, "Revoke-Certificate.md");
            act.Should().Throw<HelpFormatException>().Which.Message.Should().Contain("Revoke-Certificate.md").And.Contain("-EffectiveDate");
        }

        [Fact]
        public void A_parameter_without_a_description_is_refused()
        {
            var text = File.ReadAllText(Path.Combine(Docs, "Get-CaTemplate.md"));
            var start = text.IndexOf("### -Connector\n", StringComparison.Ordinal);
            start.Should().BeGreaterThan(0);
            var yaml = text.IndexOf("```yaml", start, StringComparison.Ordinal);
            var broken = text.Substring(0, start) + "### -Connector\n\n" + text.Substring(yaml);
            var act = () => Markdown.Read(broken, "Get-CaTemplate.md");
            act.Should().Throw<HelpFormatException>().Which.Message.Should().Be("Get-CaTemplate.md: -Connector has no description");
        }

        [Fact]
        public void The_compiler_fails_the_build_with_an_msbuild_error_line()
        {
            var dir = Directory.CreateTempSubdirectory("psc-help-");
            try
            {
                File.WriteAllText(Path.Combine(dir.FullName, "Get-CaTemplate.md"), "---\nschema: 2.0.0\n");
                var error = new StringWriter();
                var previous = Console.Error;
                Console.SetError(error);
                int code;
                try { code = Program.Main(new[] { "compile", dir.FullName, Path.Combine(dir.FullName, "out") }); }
                finally { Console.SetError(previous); }
                code.Should().Be(1);
                error.ToString().Should().StartWith("error HELP001: Get-CaTemplate.md: the front matter (---) is not closed");
                File.Exists(Path.Combine(dir.FullName, "out", Program.HelpFileName)).Should().BeFalse("nothing half-written");
            }
            finally { dir.Delete(recursive: true); }
        }

        private static string ReplaceYamlField(string text, string heading, string from, string to)
        {
            var start = text.IndexOf(heading + "\n", StringComparison.Ordinal);
            start.Should().BeGreaterThan(0, heading + " is on the page");
            var at = text.IndexOf(from, start, StringComparison.Ordinal);
            at.Should().BeGreaterThan(start);
            return text.Substring(0, at) + to + text.Substring(at + from.Length);
        }

        private static XElement Normalized(XDocument document)
        {
            var root = new XElement(document.Root!);
            foreach (var text in root.DescendantNodes().OfType<XText>().ToList())
                text.Value = string.Join(" ", text.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            // Commands in name order: the docs are files, the MAML a list.
            var commands = root.Elements().OrderBy(c => (string?)c.Descendants().First(e => e.Name.LocalName == "name")).ToList();
            root.RemoveNodes();
            root.Add(commands);
            return root;
        }
    }
}
