using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace PSCertConnector.HelpCompiler
{
    /// <summary>
    /// compile DOCS OUT [--with-set-names]: the markdown in DOCS (one file per cmdlet, about_*.help.txt copied as they are)
    ///   becomes OUT/PSCertConnector.dll-Help.xml. The module build runs this.
    /// markdown MAML DOCS [--check]: writes (or, with --check, compares) one markdown file per cmdlet in MAML; the help
    ///   syntax updater (tools/Update-HelpSyntax.ps1) uses it to write back what it generated from the cmdlets.
    /// </summary>
    public static class Program
    {
        public const string HelpFileName = "PSCertConnector.dll-Help.xml";

        public static int Main(string[] args)
        {
            try
            {
                switch (args.FirstOrDefault())
                {
                    case "compile" when args.Length >= 3:
                        Compile(args[1], args[2], args.Contains("--with-set-names"));
                        return 0;
                    case "markdown" when args.Length >= 3:
                        return WriteMarkdown(args[1], args[2], args.Contains("--check"));
                    default:
                        Console.Error.WriteLine("usage: helpcompiler compile DOCS OUT [--with-set-names] | markdown MAML DOCS [--check]");
                        return 2;
                }
            }
            catch (HelpFormatException ex)
            {
                // The form MSBuild shows as an error of the build.
                Console.Error.WriteLine("error HELP001: " + ex.Message);
                return 1;
            }
        }

        public static List<CmdletHelp> ReadDocs(string docs) =>
            Directory.GetFiles(docs, "*.md").Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f =>
                {
                    var help = Markdown.Read(File.ReadAllText(f), Path.GetFileName(f));
                    if (help.Name + ".md" != Path.GetFileName(f)) throw new HelpFormatException($"{Path.GetFileName(f)} documents {help.Name}: name the file {help.Name}.md");
                    return help;
                }).ToList();

        private static void Compile(string docs, string output, bool withSetNames)
        {
            var commands = ReadDocs(docs);
            if (commands.Count == 0) throw new HelpFormatException($"no cmdlet help (*.md) in {docs}");
            Directory.CreateDirectory(output);
            Save(Maml.Write(commands, withSetNames), Path.Combine(output, HelpFileName));
            foreach (var about in Directory.GetFiles(docs, "about_*.help.txt"))
                File.Copy(about, Path.Combine(output, Path.GetFileName(about)), overwrite: true);
        }

        public static void Save(XDocument document, string path)
        {
            var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
            using var writer = XmlWriter.Create(path, settings);
            document.Save(writer);
        }

        private static int WriteMarkdown(string maml, string docs, bool check)
        {
            var stale = new List<string>();
            foreach (var help in Maml.Read(XDocument.Load(maml)))
            {
                var path = Path.Combine(docs, help.Name + ".md");
                var text = Markdown.Write(help);
                if (check)
                {
                    if (!File.Exists(path) || File.ReadAllText(path) != text) stale.Add(help.Name);
                }
                else File.WriteAllText(path, text, new UTF8Encoding(false));
            }
            if (stale.Count == 0) return 0;
            Console.Error.WriteLine("The help's syntax or parameter metadata differs from the cmdlets for: " + string.Join(", ", stale) +
                ". Run tools/Update-HelpSyntax.ps1 without -Check.");
            return 1;
        }
    }
}
