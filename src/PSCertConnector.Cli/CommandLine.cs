using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using PSCertConnector.Core;

namespace PSCertConnector.Cli
{
    /// <summary>
    /// The parsed command line: the command words, named options (repeatable) and positional arguments.
    /// </summary>
    internal sealed class CommandLine
    {
        private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
        private HashSet<string>? _declared;

        public List<string> Words { get; } = new();
        public List<string> Positionals { get; } = new();

        /// <param name="twoWordGroups">First command words that take a second one ("connector add"); options may come anywhere.</param>
        /// <param name="flags">Options that take no value. One set for every command: options may come before the command's words.</param>
        public static CommandLine Parse(string[] args, IReadOnlySet<string> twoWordGroups, IReadOnlySet<string> flags)
        {
            var line = new CommandLine();
            int commandWords = 1;
            for (int i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
                {
                    var name = arg.Substring(2);
                    string? value = null;
                    int eq = name.IndexOf('=');
                    if (eq > 0) { value = name.Substring(eq + 1); name = name.Substring(0, eq); }
                    if (value == null && !flags.Contains(name))
                    {
                        if (i + 1 >= args.Length) throw Usage($"--{name} needs a value.");
                        value = args[++i];
                    }
                    if (!line._options.TryGetValue(name, out var list)) line._options[name] = list = new List<string>();
                    list.Add(value ?? "true");
                }
                else if (arg == "-h" || arg == "-?") line._options["help"] = new List<string> { "true" };
                else if (line.Words.Count < commandWords && line.Positionals.Count == 0)
                {
                    line.Words.Add(arg);
                    if (line.Words.Count == 1 && twoWordGroups.Contains(arg)) commandWords = 2;
                }
                else line.Positionals.Add(arg);
            }
            return line;
        }

        /// <summary>
        /// From here on, reading an option outside <paramref name="names"/> is a programming error: a command reads only
        /// the options it declares, so its help and what it accepts cannot drift apart unnoticed.
        /// </summary>
        public void RestrictTo(IEnumerable<string> names) => _declared = new HashSet<string>(names, StringComparer.Ordinal);

        private bool TryGetValues(string name, out List<string> values)
        {
            if (_declared != null && !_declared.Contains(name))
                throw new InvalidOperationException($"The command reads --{name}, which it does not declare.");
            return _options.TryGetValue(name, out values!);
        }

        public bool Has(string name) => TryGetValues(name, out _);

        public string? Get(string name)
        {
            if (!TryGetValues(name, out var values)) return null;
            if (values.Count > 1) throw Usage($"--{name} was given {values.Count} times; give it once.");
            return values[0];
        }

        public string Require(string name, string what) =>
            Get(name) ?? throw Usage($"--{name} is required ({what}).");

        public IReadOnlyList<string> All(string name)
        {
            if (!TryGetValues(name, out var values)) return Array.Empty<string>();
            // "--tag web,prod" and "--tag web --tag prod" mean the same.
            return values.SelectMany(v => v.Split(',')).Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        }

        public IReadOnlyList<string> AllRaw(string name)
        {
            return TryGetValues(name, out var values) ? values : (IReadOnlyList<string>)Array.Empty<string>();
        }

        public int? Int(string name, int min, int max)
        {
            var text = Get(name);
            if (text == null) return null;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                throw Usage($"--{name} should be a whole number from {min} to {max}, not '{text}'.");
            return value;
        }

        public T? Enum<T>(string name) where T : struct
        {
            var text = Get(name);
            if (text == null) return null;
            return ParseEnum<T>(text) ?? throw Usage($"--{name} '{text}' is not one of: {string.Join(", ", System.Enum.GetNames(typeof(T)).Select(Kebab))}.");
        }

        /// <summary>An enum value written as the CLI writes them (key-compromise, KeyCompromise, key_compromise); null when none matches.</summary>
        public static T? ParseEnum<T>(string text) where T : struct
        {
            var normalized = text.Replace("-", "").Replace("_", "");
            foreach (var value in System.Enum.GetValues(typeof(T)).Cast<T>())
                if (string.Equals(value.ToString(), normalized, StringComparison.OrdinalIgnoreCase)) return value;
            return null;
        }

        public IEnumerable<string> OptionNames => _options.Keys;

        /// <summary>The proxy account from --proxy-user and --proxy-secret-env/--proxy-secret-file, as stored ("user\npassword"); null when none is given.</summary>
        public byte[]? ProxySecret()
        {
            var user = Get("proxy-user");
            var password = Secret("proxy-secret-env", "proxy-secret-file");
            if (user == null && password == null) return null;
            if (user == null || password == null) throw Usage("A proxy account needs both --proxy-user and its password (--proxy-secret-env VAR or --proxy-secret-file FILE).");
            return Core.Store.ConnectorSecrets.EncodeAccount(user, password);
        }

        /// <summary>Reads a secret from an environment variable or a file, never from the command line.</summary>
        public string? Secret(string envOption, string fileOption)
        {
            var env = Get(envOption);
            var file = Get(fileOption);
            if (env != null && file != null) throw Usage($"Give --{envOption} or --{fileOption}, not both.");
            if (env != null)
                return Environment.GetEnvironmentVariable(env) is { Length: > 0 } value ? value
                    : throw Usage($"The environment variable '{env}' named by --{envOption} is not set or empty.");
            if (file != null)
            {
                if (!File.Exists(file)) throw Usage($"The file '{file}' named by --{fileOption} does not exist.");
                return File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            return null;
        }

        public static string Kebab(string pascal)
        {
            var chars = new List<char>();
            for (int i = 0; i < pascal.Length; i++)
            {
                // A word starts at a capital after a small letter, or at the last capital of an acronym (CACompromise: ca-compromise).
                if (char.IsUpper(pascal[i]) && i > 0 && (!char.IsUpper(pascal[i - 1]) || (i + 1 < pascal.Length && char.IsLower(pascal[i + 1])))) chars.Add('-');
                chars.Add(char.ToLowerInvariant(pascal[i]));
            }
            return new string(chars.ToArray());
        }

        public static PscException Usage(string message) => new PscException("Usage", FailureCategory.InvalidArgument, message);
    }
}
