using System.Xml.Linq;

namespace PSCertConnector.HelpCompiler
{
    /// <summary>The MAML file Get-Help reads for a binary module (PSCertConnector.dll-Help.xml).</summary>
    public static class Maml
    {
        private static readonly XNamespace M = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace C = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace D = "http://schemas.microsoft.com/maml/dev/2004/10";
        private static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";
        /// <summary>
        /// Written by tools/Update-HelpSyntax.ps1 on each syntax item so the markdown keeps the set names; never in the
        /// compiled help (Get-Help has no use for it).
        /// </summary>
        public const string SetNameAttribute = "parameterSetName";
        public const string AllSets = "__AllParameterSets";

        public static XDocument Write(IEnumerable<CmdletHelp> commands, bool withSetNames = false) =>
            new XDocument(new XDeclaration("1.0", "utf-8", null),
                new XElement("helpItems", new XAttribute("schema", "maml"), new XAttribute(XNamespace.Xmlns + "maml", M.NamespaceName),
                    commands.Select(c => Command(c, withSetNames))));

        private static IEnumerable<XElement> Paras(IEnumerable<string> paras) => paras.Select(p => new XElement(M + "para", p));

        private static XElement Command(CmdletHelp help, bool withSetNames) =>
            new XElement(C + "command",
                new XAttribute(XNamespace.Xmlns + "maml", M.NamespaceName), new XAttribute(XNamespace.Xmlns + "command", C.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "dev", D.NamespaceName), new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp.NamespaceName),
                new XElement(C + "details",
                    new XElement(C + "name", help.Name),
                    new XElement(M + "description", Paras(help.Synopsis)),
                    new XElement(C + "verb", help.Verb),
                    new XElement(C + "noun", help.Noun)),
                new XElement(M + "description", Paras(help.Description)),
                new XElement(C + "syntax", help.Syntax.Select(set =>
                    new XElement(C + "syntaxItem",
                        withSetNames ? new XAttribute(SetNameAttribute, set.Name) : null,
                        new XElement(M + "name", help.Name),
                        set.Parameters.Select(name =>
                        {
                            var parameter = help.Parameters.Single(p => p.Name == name);
                            var usage = parameter.UsageIn(set.Name);
                            return Parameter(parameter, usage.Required, usage.Position, usage.PipelineInput, inSyntax: true);
                        })))),
                new XElement(C + "parameters", help.Parameters.Select(p =>
                {
                    // The overall entry: required in any set, a position only when every positional use agrees, any pipeline input.
                    var positions = p.Usages.Select(u => u.Position).Where(x => x != "named").Distinct().ToList();
                    bool byValue = p.Usages.Any(u => u.PipelineInput.Contains("ByValue")), byName = p.Usages.Any(u => u.PipelineInput.Contains("ByPropertyName"));
                    var pipeline = byValue && byName ? "True (ByPropertyName, ByValue)" : byValue ? "True (ByValue)" : byName ? "True (ByPropertyName)" : "False";
                    return Parameter(p, p.Usages.Any(u => u.Required), positions.Count == 1 ? positions[0] : "named", pipeline, inSyntax: false);
                })),
                new XElement(C + "inputTypes", help.Inputs.Select(t => new XElement(C + "inputType", TypeElement(t)))),
                new XElement(C + "returnValues", help.Outputs.Select(t => new XElement(C + "returnValue", TypeElement(t)))),
                new XElement(C + "examples", help.Examples.Select(e =>
                    new XElement(C + "example",
                        new XElement(M + "title", "-------------------------- " + e.Title + " --------------------------"),
                        new XElement(D + "code", e.Code),
                        new XElement(D + "remarks", Paras(e.Remarks))))),
                new XElement(C + "relatedLinks", help.Links.Select(l =>
                    new XElement(M + "navigationLink", new XElement(M + "linkText", l.Text), new XElement(M + "uri", l.Uri)))));

        private static IEnumerable<XElement> TypeElement(TypeHelp type) => new[]
        {
            new XElement(D + "type", new XElement(M + "name", type.Type)),
            new XElement(M + "description", Paras(type.Description)),
        };

        private static XElement Parameter(ParameterHelp p, bool required, string position, string pipeline, bool inSyntax) =>
            new XElement(C + "parameter",
                new XAttribute("required", required ? "true" : "false"),
                new XAttribute("variableLength", p.IsArray ? "true" : "false"),
                new XAttribute("globbing", p.Globbing ? "true" : "false"),
                new XAttribute("pipelineInput", pipeline),
                new XAttribute("position", position),
                new XAttribute("aliases", p.Aliases),
                new XElement(M + "name", p.Name),
                new XElement(M + "description", Paras(p.Description)),
                p.IsSwitch ? null : new XElement(C + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", p.IsArray ? "true" : "false"), p.ShortType),
                inSyntax ? null : new XElement(D + "type", new XElement(M + "name", p.Type), new XElement(M + "uri")),
                inSyntax ? null : new XElement(D + "defaultValue", p.DefaultValue));

        public static List<CmdletHelp> Read(XDocument document)
        {
            var commands = new List<CmdletHelp>();
            foreach (var command in document.Descendants(C + "command"))
            {
                var help = new CmdletHelp { Name = command.Element(C + "details")!.Element(C + "name")!.Value.Trim() };
                help.Synopsis.AddRange(ParasOf(command.Element(C + "details")!.Element(M + "description")));
                help.Description.AddRange(ParasOf(command.Element(M + "description")));
                var items = command.Element(C + "syntax")?.Elements(C + "syntaxItem").ToList() ?? new List<XElement>();
                var sets = items.Select((item, i) => (string?)item.Attribute(SetNameAttribute)
                    ?? (items.Count == 1 ? AllSets : throw new HelpFormatException($"{help.Name}: syntax item {i + 1} has no {SetNameAttribute}"))).ToList();
                for (int i = 0; i < items.Count; i++)
                    help.Syntax.Add(new SyntaxSet(sets[i], i == 0, items[i].Elements(C + "parameter").Select(p => p.Element(M + "name")!.Value.Trim()).ToList()));
                foreach (var entry in command.Element(C + "parameters")?.Elements(C + "parameter") ?? Enumerable.Empty<XElement>())
                {
                    var parameter = new ParameterHelp
                    {
                        Name = entry.Element(M + "name")!.Value.Trim(),
                        Type = entry.Element(D + "type")?.Element(M + "name")?.Value.Trim() ?? "System.String",
                        DefaultValue = entry.Element(D + "defaultValue")?.Value.Trim() ?? "None",
                        Aliases = (string?)entry.Attribute("aliases") ?? "none",
                        Globbing = (string?)entry.Attribute("globbing") == "true",
                    };
                    parameter.Description.AddRange(ParasOf(entry.Element(M + "description")));
                    // Sets that use the parameter the same way share one usage; one usage for every set is written as (All).
                    var uses = items.Select((item, i) => (Set: sets[i], Element: item.Elements(C + "parameter").FirstOrDefault(p => p.Element(M + "name")!.Value.Trim() == parameter.Name)))
                        .Where(x => x.Element != null)
                        .Select(x => (x.Set, Required: (string?)x.Element!.Attribute("required") == "true", Position: (string?)x.Element.Attribute("position") ?? "named",
                            Pipeline: (string?)x.Element.Attribute("pipelineInput") ?? "False"))
                        .ToList();
                    var groups = uses.GroupBy(u => (u.Required, u.Position, u.Pipeline)).ToList();
                    if (groups.Count == 1 && groups[0].Count() == items.Count)
                        parameter.Usages.Add(new ParameterUsage(null, groups[0].Key.Required, groups[0].Key.Position, groups[0].Key.Pipeline));
                    else if (uses.Count == 0)
                        parameter.Usages.Add(new ParameterUsage(null, (string?)entry.Attribute("required") == "true", (string?)entry.Attribute("position") ?? "named", (string?)entry.Attribute("pipelineInput") ?? "False"));
                    else
                        foreach (var g in groups)
                            parameter.Usages.Add(new ParameterUsage(g.Select(u => u.Set).ToList(), g.Key.Required, g.Key.Position, g.Key.Pipeline));
                    help.Parameters.Add(parameter);
                }
                foreach (var t in command.Element(C + "inputTypes")?.Elements(C + "inputType") ?? Enumerable.Empty<XElement>())
                    help.Inputs.Add(new TypeHelp(t.Element(D + "type")!.Element(M + "name")!.Value.Trim(), ParasOf(t.Element(M + "description")).ToList()));
                foreach (var t in command.Element(C + "returnValues")?.Elements(C + "returnValue") ?? Enumerable.Empty<XElement>())
                    help.Outputs.Add(new TypeHelp(t.Element(D + "type")!.Element(M + "name")!.Value.Trim(), ParasOf(t.Element(M + "description")).ToList()));
                foreach (var e in command.Element(C + "examples")?.Elements(C + "example") ?? Enumerable.Empty<XElement>())
                    help.Examples.Add(new ExampleHelp(e.Element(M + "title")!.Value.Trim().Trim('-').Trim(), e.Element(D + "code")!.Value, ParasOf(e.Element(D + "remarks")).ToList()));
                foreach (var l in command.Element(C + "relatedLinks")?.Elements(M + "navigationLink") ?? Enumerable.Empty<XElement>())
                    help.Links.Add((l.Element(M + "linkText")!.Value.Trim(), l.Element(M + "uri")?.Value.Trim() ?? ""));
                commands.Add(help);
            }
            return commands;
        }

        private static IEnumerable<string> ParasOf(XElement? parent) =>
            parent?.Elements(M + "para").Select(p => p.Value.Trim()).Where(p => p.Length > 0) ?? Enumerable.Empty<string>();
    }
}
