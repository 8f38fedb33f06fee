namespace PSCertConnector.HelpCompiler
{
    /// <summary>One cmdlet's help, as both the markdown and the MAML hold it.</summary>
    public sealed class CmdletHelp
    {
        public string Name { get; set; } = "";
        public List<string> Synopsis { get; } = new();
        public List<string> Description { get; } = new();
        public List<SyntaxSet> Syntax { get; } = new();
        public List<ParameterHelp> Parameters { get; } = new();
        public List<TypeHelp> Inputs { get; } = new();
        public List<TypeHelp> Outputs { get; } = new();
        public List<ExampleHelp> Examples { get; } = new();
        public List<(string Text, string Uri)> Links { get; } = new();

        public string Verb => Name.Split('-')[0];
        public string Noun => Name.Substring(Name.IndexOf('-') + 1);
    }

    /// <summary>A parameter set: its name and its parameters in Get-Command's order.</summary>
    public sealed record SyntaxSet(string Name, bool IsDefault, List<string> Parameters);

    public sealed class ParameterHelp
    {
        public string Name { get; set; } = "";
        public List<string> Description { get; } = new();
        /// <summary>The full type name (System.String[]); a switch is System.Management.Automation.SwitchParameter.</summary>
        public string Type { get; set; } = "";
        public string DefaultValue { get; set; } = "None";
        public string Aliases { get; set; } = "none";
        public bool Globbing { get; set; }
        /// <summary>What differs between parameter sets; one usage with Sets = null applies to all of them.</summary>
        public List<ParameterUsage> Usages { get; } = new();

        public bool IsSwitch => Type == "System.Management.Automation.SwitchParameter";
        public bool IsArray => Type.EndsWith("[]", StringComparison.Ordinal);

        /// <summary>The name Get-Help shows for the value: the last part of the full name.</summary>
        public string ShortType
        {
            get
            {
                var bare = IsArray ? Type.Substring(0, Type.Length - 2) : Type;
                var last = bare.Substring(bare.LastIndexOfAny(new[] { '.', '+' }) + 1);
                return IsArray ? last + "[]" : last;
            }
        }

        public ParameterUsage UsageIn(string set) =>
            Usages.FirstOrDefault(u => u.Sets == null || u.Sets.Contains(set, StringComparer.Ordinal))
            ?? throw new HelpFormatException($"-{Name} has no yaml block for the parameter set '{set}'");
    }

    /// <summary>How a parameter is used in some parameter sets (null: all of them).</summary>
    public sealed record ParameterUsage(List<string>? Sets, bool Required, string Position, string PipelineInput);

    public sealed record TypeHelp(string Type, List<string> Description);

    public sealed record ExampleHelp(string Title, string Code, List<string> Remarks);

    public sealed class HelpFormatException : Exception
    {
        public HelpFormatException(string message) : base(message) { }
    }
}
