using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace PSCertConnector.Module.Tests
{
    /// <summary>The built module, read from output/ as metadata: nothing of it runs in this process.</summary>
    public sealed class ModuleUnderTest : IDisposable
    {
        public ModuleUnderTest()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PSCertConnector.sln"))) dir = dir.Parent;
            RepoRoot = dir?.FullName ?? throw new InvalidOperationException("PSCertConnector.sln not found above " + AppContext.BaseDirectory);
            var versions = Directory.GetDirectories(Path.Combine(RepoRoot, "output", "PSCertConnector"));
            if (versions.Length != 1) throw new InvalidOperationException("expected one built module version under output/PSCertConnector");
            Root = versions[0];
            var paths = new List<string>(Directory.GetFiles(Path.Combine(Root, "dependencies"), "*.dll"))
            {
                Path.Combine(AppContext.BaseDirectory, "System.Management.Automation.dll"),
            };
            var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
            paths.AddRange(Directory.GetFiles(runtime, "*.dll").Where(p => !paths.Any(x => Path.GetFileName(x) == Path.GetFileName(p))));
            Context = new MetadataLoadContext(new PathAssemblyResolver(paths), "netstandard");
            Assembly = Context.LoadFromAssemblyPath(Path.Combine(Root, "dependencies", "PSCertConnector.dll"));
            Core = Context.LoadFromAssemblyPath(Path.Combine(Root, "dependencies", "PSCertConnector.Core.dll"));
            Cmdlets = Assembly.GetTypes()
                .Select(t => (Type: t, Attribute: t.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == "CmdletAttribute")))
                .Where(x => x.Attribute != null)
                .Select(x => new CmdletInfo(x.Type, (string)x.Attribute!.ConstructorArguments[0].Value! + "-" + (string)x.Attribute.ConstructorArguments[1].Value!, x.Attribute))
                .ToList();
        }

        public string RepoRoot { get; }
        public string Root { get; }
        public MetadataLoadContext Context { get; }
        public Assembly Assembly { get; }
        public Assembly Core { get; }
        public IReadOnlyList<CmdletInfo> Cmdlets { get; }

        public XDocument Help => XDocument.Load(Path.Combine(Root, "en-US", "PSCertConnector.dll-Help.xml"));
        public XDocument Format => XDocument.Load(Path.Combine(Root, "PSCertConnector.Format.ps1xml"));
        public string Manifest => File.ReadAllText(Path.Combine(Root, "PSCertConnector.psd1"));

        public void Dispose() => Context.Dispose();
    }

    public sealed record CmdletInfo(Type Type, string Name, CustomAttributeData Attribute)
    {
        public string Verb => Name.Split('-')[0];

        public T? Named<T>(string property) =>
            Attribute.NamedArguments.Where(a => a.MemberName == property).Select(a => (T?)a.TypedValue.Value).FirstOrDefault();

        public IEnumerable<ParameterInfo> Parameters =>
            Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .SelectMany(p => p.GetCustomAttributesData().Where(a => a.AttributeType.Name == "ParameterAttribute")
                    .Select(a => new ParameterInfo(p, a)));
    }

    public sealed record ParameterInfo(PropertyInfo Property, CustomAttributeData Attribute)
    {
        public string Name => Property.Name;

        public T? Named<T>(string property) =>
            Attribute.NamedArguments.Where(a => a.MemberName == property).Select(a => (T?)a.TypedValue.Value).FirstOrDefault();

        public string SetName => Named<string>("ParameterSetName") ?? "__AllParameterSets";
        public bool Mandatory => Named<bool>("Mandatory");
        public int? Position => Attribute.NamedArguments.Any(a => a.MemberName == "Position") ? Named<int>("Position") : null;
        public bool FromPipeline => Named<bool>("ValueFromPipeline");
        public bool FromPipelineByName => Named<bool>("ValueFromPipelineByPropertyName");
        public bool Has(string attribute) => Property.GetCustomAttributesData().Any(a => a.AttributeType.Name == attribute);
    }

    [CollectionDefinition("module")]
    public sealed class ModuleCollection : ICollectionFixture<ModuleUnderTest> { }
}
