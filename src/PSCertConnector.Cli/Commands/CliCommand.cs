using System.Collections.Generic;

namespace PSCertConnector.Cli.Commands
{
    /// <summary>One certconnector command: its words, synopsis and options (its help and the options it accepts), and what it does.</summary>
    internal abstract class CliCommand
    {
        protected CliCommand(string name, string synopsis, params CliOption[] options)
        {
            Name = name;
            Synopsis = synopsis;
            Options = options;
        }

        /// <summary>One word ("submit") or two ("connector add").</summary>
        public string Name { get; }
        public string Synopsis { get; }
        public IReadOnlyList<CliOption> Options { get; }

        public abstract int Run(CommandLine cl, Invocation run);
    }
}
