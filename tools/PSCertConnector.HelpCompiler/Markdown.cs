using System.Text;
using System.Text.RegularExpressions;

namespace PSCertConnector.HelpCompiler
{
    /// <summary>
    /// Cmdlet help as platyPS markdown (schema 2.0.0): front matter, then SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES,
    /// PARAMETERS (a yaml block per parameter, one per group of sets that use it alike), INPUTS, OUTPUTS, NOTES and
    /// RELATED LINKS. One deliberate difference: the yaml Type is the full type name (Get-Help shows it with -Full).
    /// Prose paragraphs are separated by blank lines; a line starting with "- " is a paragraph of its own (a list item).
    /// </summary>
    public static class Markdown
    {
        private const string CommonParameters =
            "This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, " +
            "-OutBuffer, -OutVariable, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. " +
            "For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).";

        public static string Write(CmdletHelp help)
        {
            var md = new StringBuilder();
            void Line(string text = "") => md.Append(text).Append('\n');
            void Paras(IEnumerable<string> paras) { foreach (var p in paras) { Line(p); Line(); } }

            Line("---"); Line("external help file: PSCertConnector.dll-Help.xml"); Line("Module Name: PSCertConnector"); Line("online version:"); Line("schema: 2.0.0"); Line("---");
            Line();
            Line("# " + help.Name); Line();
            Line("## SYNOPSIS"); Paras(help.Synopsis);
            Line("## SYNTAX"); Line();
            foreach (var set in help.Syntax)
            {
                Line("### " + set.Name + (set.IsDefault && help.Syntax.Count > 1 ? " (Default)" : ""));
                Line("```");
                Line(string.Join(" ", new[] { help.Name }.Concat(set.Parameters.Select(n => SyntaxToken(help.Parameters.Single(p => p.Name == n), set.Name))).Append("[<CommonParameters>]")));
                Line("```"); Line();
            }
            Line("## DESCRIPTION"); Paras(help.Description);
            Line("## EXAMPLES"); Line();
            foreach (var example in help.Examples)
            {
                Line("### " + example.Title);
                Line("```powershell"); Line(example.Code.Replace("\r\n", "\n").TrimEnd('\n')); Line("```"); Line();
                Paras(example.Remarks);
            }
            Line("## PARAMETERS"); Line();
            foreach (var p in help.Parameters)
            {
                Line("### -" + p.Name); Paras(p.Description);
                foreach (var usage in p.Usages)
                {
                    Line("```yaml");
                    Line("Type: " + p.Type);
                    Line("Parameter Sets: " + (usage.Sets == null ? "(All)" : string.Join(", ", usage.Sets)));
                    Line("Aliases:" + (p.Aliases == "none" ? "" : " " + p.Aliases));
                    Line();
                    Line("Required: " + (usage.Required ? "True" : "False"));
                    Line("Position: " + (usage.Position == "named" ? "Named" : usage.Position));
                    Line("Default value: " + p.DefaultValue);
                    Line("Accept pipeline input: " + usage.PipelineInput);
                    Line("Accept wildcard characters: " + (p.Globbing ? "True" : "False"));
                    Line("```"); Line();
                }
            }
            Line("### CommonParameters"); Line(CommonParameters); Line();
            Line("## INPUTS"); Line();
            foreach (var t in help.Inputs) { Line("### " + t.Type); Paras(t.Description); }
            Line("## OUTPUTS"); Line();
            foreach (var t in help.Outputs) { Line("### " + t.Type); Paras(t.Description); }
            Line("## NOTES"); Line();
            Line("## RELATED LINKS"); Line();
            foreach (var (text, uri) in help.Links) { Line($"[{text}]({uri})"); Line(); }
            return md.ToString().TrimEnd('\n') + "\n";
        }

        private static string SyntaxToken(ParameterHelp p, string set)
        {
            var usage = p.UsageIn(set);
            var name = usage.Position == "named" ? "-" + p.Name : "[-" + p.Name + "]";
            var token = p.IsSwitch ? "-" + p.Name : name + " <" + p.ShortType + ">";
            return usage.Required ? token : "[" + token + "]";
        }

        private sealed record Block(string Kind, string Text, string Language);

        /// <summary>Headings, fenced code and paragraphs, in order.</summary>
        private static List<Block> Blocks(string text, string file)
        {
            var lines = text.Replace("\r\n", "\n").Split('\n');
            var blocks = new List<Block>();
            int i = 0;
            if (lines.Length > 0 && lines[0] == "---")
            {
                i = Array.IndexOf(lines, "---", 1);
                if (i < 0) throw new HelpFormatException($"{file}: the front matter (---) is not closed");
                i++;
            }
            var paragraph = new List<string>();
            void EndParagraph()
            {
                if (paragraph.Count > 0) blocks.Add(new Block("p", string.Join(" ", paragraph), ""));
                paragraph.Clear();
            }
            for (; i < lines.Length; i++)
            {
                var line = lines[i];
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    EndParagraph();
                    var language = line.Substring(3).Trim();
                    var code = new List<string>();
                    int start = i;
                    for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++) code.Add(lines[i]);
                    if (i >= lines.Length) throw new HelpFormatException($"{file}:{start + 1}: the code block is not closed");
                    blocks.Add(new Block("code", string.Join("\n", code), language));
                }
                else if (Regex.Match(line, @"^(#{1,3}) (.+)$") is { Success: true } heading)
                {
                    EndParagraph();
                    blocks.Add(new Block("h" + heading.Groups[1].Value.Length, heading.Groups[2].Value.Trim(), ""));
                }
                else if (line.Trim().Length == 0) EndParagraph();
                else
                {
                    if (line.StartsWith("- ", StringComparison.Ordinal)) EndParagraph();
                    paragraph.Add(line.Trim());
                }
            }
            EndParagraph();
            return blocks;
        }

        public static CmdletHelp Read(string text, string file)
        {
            var blocks = Blocks(text, file);
            var help = new CmdletHelp();
            int i = 0;
            HelpFormatException Error(string what) => new($"{file}: {what}");
            if (blocks.Count == 0 || blocks[0].Kind != "h1") throw Error("the file must start with '# <Cmdlet-Name>' after the front matter");
            help.Name = blocks[i++].Text;
            string section = "";
            var syntaxTokens = new Dictionary<string, List<(string Name, bool Required, bool Positional)>>();
            ParameterHelp? parameter = null;
            TypeHelp? type = null;
            string? exampleTitle = null; string? exampleCode = null; List<string>? remarks = null;
            string? setName = null; bool setDefault = false;
            void EndExample()
            {
                if (exampleTitle == null) return;
                help.Examples.Add(new ExampleHelp(exampleTitle, exampleCode ?? throw Error($"example '{exampleTitle}' has no ```powershell code block"), remarks!));
                exampleTitle = null; exampleCode = null;
            }
            for (; i < blocks.Count; i++)
            {
                var b = blocks[i];
                if (b.Kind == "h1") throw Error($"a second '# {b.Text}' heading: one cmdlet per file");
                if (b.Kind == "h2")
                {
                    EndExample();
                    section = b.Text.ToUpperInvariant(); parameter = null; type = null;
                    continue;
                }
                switch (section)
                {
                    case "SYNOPSIS" when b.Kind == "p": help.Synopsis.Add(b.Text); break;
                    case "DESCRIPTION" when b.Kind == "p": help.Description.Add(b.Text); break;
                    case "SYNTAX" when b.Kind == "h3":
                        setDefault = b.Text.EndsWith(" (Default)", StringComparison.Ordinal) || help.Syntax.Count == 0;
                        setName = b.Text.Replace(" (Default)", "");
                        break;
                    case "SYNTAX" when b.Kind == "code":
                        if (setName == null) throw Error("a syntax block without a '### <ParameterSetName>' heading");
                        var tokens = ParseSyntax(b.Text, help.Name, file);
                        syntaxTokens[setName] = tokens;
                        help.Syntax.Add(new SyntaxSet(setName, setDefault, tokens.Select(t => t.Name).ToList()));
                        setName = null;
                        break;
                    case "EXAMPLES" when b.Kind == "h3":
                        EndExample();
                        exampleTitle = b.Text; remarks = new List<string>();
                        break;
                    case "EXAMPLES" when b.Kind == "code" && exampleTitle != null: exampleCode = b.Text; break;
                    case "EXAMPLES" when b.Kind == "p" && exampleTitle != null: remarks!.Add(b.Text); break;
                    case "PARAMETERS" when b.Kind == "h3":
                        parameter = null;
                        if (b.Text == "CommonParameters") break;
                        if (!b.Text.StartsWith("-", StringComparison.Ordinal)) throw Error($"parameter heading '### {b.Text}' must be '### -Name'");
                        parameter = new ParameterHelp { Name = b.Text.Substring(1) };
                        help.Parameters.Add(parameter);
                        break;
                    case "PARAMETERS" when b.Kind == "p" && parameter != null: parameter.Description.Add(b.Text); break;
                    case "PARAMETERS" when b.Kind == "code" && parameter != null && b.Language == "yaml": ReadYaml(parameter, b.Text, file); break;
                    case "INPUTS" when b.Kind == "h3": type = new TypeHelp(b.Text, new List<string>()); help.Inputs.Add(type); break;
                    case "OUTPUTS" when b.Kind == "h3": type = new TypeHelp(b.Text, new List<string>()); help.Outputs.Add(type); break;
                    case "INPUTS" or "OUTPUTS" when b.Kind == "p" && type != null: type.Description.Add(b.Text); break;
                    case "RELATED LINKS" when b.Kind == "p":
                        foreach (Match link in Regex.Matches(b.Text, @"\[([^\]]+)\]\(([^)]*)\)")) help.Links.Add((link.Groups[1].Value, link.Groups[2].Value));
                        break;
                    case "NOTES" when b.Kind == "p":
                        throw Error("NOTES are not compiled into the help; put the text in the DESCRIPTION");
                    case "PARAMETERS" when b.Kind == "p" && parameter == null:
                        break; // the CommonParameters boilerplate
                    default:
                        throw Error($"unexpected {(b.Kind == "p" ? "text" : b.Kind)} '{Short(b.Text)}' in section '{section}'");
                }
            }
            EndExample();
            Check(help, syntaxTokens, file);
            return help;
        }

        private static string Short(string text) => text.Length > 60 ? text.Substring(0, 60) + "…" : text;

        private static void ReadYaml(ParameterHelp parameter, string yaml, string file)
        {
            var fields = yaml.Split('\n').Where(l => l.Contains(':'))
                .ToDictionary(l => l.Substring(0, l.IndexOf(':')).Trim(), l => l.Substring(l.IndexOf(':') + 1).Trim(), StringComparer.OrdinalIgnoreCase);
            string Field(string name) => fields.TryGetValue(name, out var v) ? v : throw new HelpFormatException($"{file}: -{parameter.Name}'s yaml has no '{name}:'");
            parameter.Type = Field("Type");
            parameter.Aliases = Field("Aliases").Length == 0 ? "none" : Field("Aliases");
            parameter.DefaultValue = Field("Default value");
            parameter.Globbing = Bool(Field("Accept wildcard characters"), "Accept wildcard characters");
            var sets = Field("Parameter Sets");
            var position = Field("Position");
            parameter.Usages.Add(new ParameterUsage(
                sets == "(All)" ? null : sets.Split(',').Select(s => s.Trim()).ToList(),
                Bool(Field("Required"), "Required"),
                position.Equals("Named", StringComparison.OrdinalIgnoreCase) ? "named" : int.TryParse(position, out _) ? position
                    : throw new HelpFormatException($"{file}: -{parameter.Name}'s Position is '{position}'; expected Named or a number"),
                Field("Accept pipeline input")));

            bool Bool(string value, string name) => value.Equals("True", StringComparison.OrdinalIgnoreCase) ? true
                : value.Equals("False", StringComparison.OrdinalIgnoreCase) ? false
                : throw new HelpFormatException($"{file}: -{parameter.Name}'s '{name}' is '{value}'; expected True or False");
        }

        private static readonly (Regex Pattern, bool Required, bool Positional)[] TokenForms =
        {
            (new Regex(@"^\[\[-(\w+)\] <[^>]+>\]$"), false, true),   // [[-Name] <Type>]
            (new Regex(@"^\[-(\w+)\] <[^>]+>$"), true, true),          // [-Name] <Type>
            (new Regex(@"^\[-(\w+) <[^>]+>\]$"), false, false),        // [-Name <Type>]
            (new Regex(@"^-(\w+) <[^>]+>$"), true, false),               // -Name <Type>
            (new Regex(@"^\[-(\w+)\]$"), false, false),                // [-Switch]
            (new Regex(@"^-(\w+)$"), true, false),                       // -Switch
        };

        private static List<(string Name, bool Required, bool Positional)> ParseSyntax(string code, string name, string file)
        {
            var text = Regex.Replace(code, @"\s+", " ").Trim();
            if (!text.StartsWith(name + " ", StringComparison.Ordinal)) throw new HelpFormatException($"{file}: a syntax line must start with '{name}'");
            var tokens = new List<(string, bool, bool)>();
            // A token is one parameter: spaces inside <...> and between "[-Name]" and its "<Type>" belong to it.
            foreach (Match part in Regex.Matches(text.Substring(name.Length), @"\[<CommonParameters>\]|\[\[-\w+\] <[^>]+>\]|\[-\w+\] <[^>]+>|\[-\w+ <[^>]+>\]|-\w+ <[^>]+>|\[-\w+\]|-\w+|\S+"))
            {
                if (part.Value == "[<CommonParameters>]") continue;
                var form = TokenForms.Select(f => (f, m: f.Pattern.Match(part.Value))).FirstOrDefault(x => x.m.Success);
                if (form.m == null) throw new HelpFormatException($"{file}: cannot read '{part.Value}' in the syntax of {name}");
                tokens.Add((form.m.Groups[1].Value, form.f.Required, form.f.Positional));
            }
            return tokens;
        }

        /// <summary>What the compiler can check without the cmdlet: every syntax parameter documented and described, the yaml agreeing with the syntax.</summary>
        private static void Check(CmdletHelp help, Dictionary<string, List<(string Name, bool Required, bool Positional)>> syntax, string file)
        {
            if (help.Synopsis.Count == 0) throw new HelpFormatException($"{file}: no SYNOPSIS");
            if (help.Syntax.Count == 0) throw new HelpFormatException($"{file}: no SYNTAX");
            foreach (var p in help.Parameters)
            {
                if (p.Description.Count == 0) throw new HelpFormatException($"{file}: -{p.Name} has no description");
                if (p.Usages.Count == 0) throw new HelpFormatException($"{file}: -{p.Name} has no ```yaml block");
            }
            foreach (var set in help.Syntax)
                foreach (var name in set.Parameters)
                {
                    var p = help.Parameters.SingleOrDefault(x => x.Name == name) ?? throw new HelpFormatException($"{file}: the syntax of '{set.Name}' names -{name}, which PARAMETERS does not describe");
                    var usage = p.UsageIn(set.Name);
                    var token = syntax[set.Name].First(t => t.Name == name);
                    if (token.Required != usage.Required || token.Positional != (usage.Position != "named"))
                        throw new HelpFormatException($"{file}: in '{set.Name}' the syntax shows -{name} as {(token.Required ? "required" : "optional")} and {(token.Positional ? "positional" : "named")}, " +
                            $"its yaml says Required: {usage.Required}, Position: {usage.Position}");
                }
        }
    }
}
