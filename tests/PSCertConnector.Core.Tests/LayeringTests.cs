using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using FluentAssertions;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>
    /// Core is layered one way: the model (the root namespace) ← Infrastructure ← Pkix ← Protocols ← Store ← the
    /// connector base (Connectors) ← the connector families (Connectors.*, ActiveDirectory) ← Operations. Read from the
    /// built assembly: every type a type's signatures, base types and method bodies name (lambdas and iterators count
    /// as their declaring type) must sit in its own layer or below, and a family never names another family.
    /// </summary>
    public sealed class LayeringTests
    {
        private const string Root = "PSCertConnector.Core";

        internal static int? Layer(string ns) => ns switch
        {
            Root => 0,
            Root + ".Infrastructure" => 1,
            Root + ".Pkix" => 2,
            Root + ".Protocols" => 3,
            Root + ".Store" => 4,
            Root + ".Connectors" => 5,
            Root + ".ActiveDirectory" => 6,
            _ when ns.StartsWith(Root + ".Connectors.", StringComparison.Ordinal) => 6,
            Root + ".Operations" => 7,
            _ => null,
        };

        [Fact]
        public void Every_reference_in_core_points_down_the_layers()
        {
            var violations = References(typeof(PscException).Assembly.Location)
                .Where(r => Layer(r.From) is int from && Layer(r.To) is int to && (to > from || (to == from && from == 6 && r.From != r.To)))
                .Select(r => $"{r.FromType} ({r.From}) names {r.ToType} ({r.To})")
                .Distinct().OrderBy(v => v).ToList();
            violations.Should().BeEmpty("Core's layers only point down:\n" + string.Join("\n", violations));
        }

        [Fact]
        public void The_reader_sees_references_in_bodies_and_signatures()
        {
            // The check above is only as good as its reader: known downward references must be found.
            var references = References(typeof(PscException).Assembly.Location).ToList();
            references.Should().Contain(r => r.FromType == "OrderOperations" && r.ToType == "CsrParser", "a method body call");
            references.Should().Contain(r => r.FromType == "EmbeddedCertificateAuthority" && r.ToType == "SubmitResult", "a return type");
            references.Should().Contain(r => r.FromType == "CsrBuilder" && r.ToType == "RequestPolicy", "a call inside a static method");
        }

        [Theory]
        [InlineData("PSCertConnector.Core", Root)]
        [InlineData("PSCertConnector", "PSCertConnector.Commands")]
        [InlineData("PSCertConnector.Cli", "PSCertConnector.Cli")]
        [InlineData("PSCertConnector.Lab", "PSCertConnector.Lab")]
        [InlineData("PSCertConnector.Lab.Host", "PSCertConnector.Lab.Host")]
        [InlineData("PSCertConnector.Loader", "PSCertConnector.Loader")]
        public void Every_type_is_in_a_file_of_its_name_in_the_folder_of_its_namespace(string project, string rootNamespace)
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PSCertConnector.sln"))) dir = dir.Parent;
            var folderOfProject = Path.Combine(dir!.FullName, "src", project);
            var declaration = new System.Text.RegularExpressions.Regex(@"^    (?:(?:public|internal|sealed|static|abstract|readonly|partial)\s+)*(?:class|record|enum|interface|struct)\s+(?:struct\s+|class\s+)?(\w+)", System.Text.RegularExpressions.RegexOptions.Multiline);
            var misplaced = new List<string>();
            foreach (var file in Directory.GetFiles(folderOfProject, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(folderOfProject, file);
                if (relative.StartsWith("obj" + Path.DirectorySeparatorChar) || relative.StartsWith("bin" + Path.DirectorySeparatorChar)) continue;
                var text = File.ReadAllText(file);
                var ns = System.Text.RegularExpressions.Regex.Match(text, @"^namespace ([\w.]+)", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;
                if (ns.StartsWith("System.", StringComparison.Ordinal)) continue; // polyfills for netstandard2.0 live where the compiler looks for them
                var folder = Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '.');
                var expected = folder.Length == 0 ? rootNamespace : rootNamespace + "." + folder;
                if (ns != expected) misplaced.Add($"{relative}: namespace {ns}, folder says {expected}");
                var types = declaration.Matches(text).Select(m => m.Groups[1].Value).ToList();
                // A partial type may be spread over "Type.cs" and "Type.Area.cs" (one area of a large class per file).
                var named = Path.GetFileNameWithoutExtension(file);
                if (named.Contains('.') && System.Text.RegularExpressions.Regex.IsMatch(text, @"^    (?:\w+\s+)*partial\s+class\s", System.Text.RegularExpressions.RegexOptions.Multiline))
                    named = named.Substring(0, named.IndexOf('.'));
                if (types.Count != 1 || types[0] != named)
                    misplaced.Add($"{relative}: declares {string.Join(", ", types)}");
            }
            misplaced.Should().BeEmpty();
        }

        private sealed record Reference(string From, string FromType, string To, string ToType);

        private static IEnumerable<Reference> References(string assemblyPath)
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            var provider = new TypeCollector(md);
            var results = new List<Reference>();
            foreach (var handle in md.TypeDefinitions)
            {
                var owner = Outermost(md, handle);
                var ownerDef = md.GetTypeDefinition(owner);
                var from = md.GetString(ownerDef.Namespace);
                var fromType = md.GetString(ownerDef.Name);
                var found = new HashSet<TypeDefinitionHandle>();
                var type = md.GetTypeDefinition(handle);
                provider.AddEntity(type.BaseType, found);
                foreach (var i in type.GetInterfaceImplementations()) provider.AddEntity(md.GetInterfaceImplementation(i).Interface, found);
                foreach (var f in type.GetFields()) found.UnionWith(md.GetFieldDefinition(f).DecodeSignature(provider, null));
                foreach (var p in type.GetProperties())
                {
                    var sig = md.GetPropertyDefinition(p).DecodeSignature(provider, null);
                    found.UnionWith(sig.ReturnType);
                    foreach (var parameter in sig.ParameterTypes) found.UnionWith(parameter);
                }
                foreach (var m in type.GetMethods())
                {
                    var method = md.GetMethodDefinition(m);
                    var sig = method.DecodeSignature(provider, null);
                    found.UnionWith(sig.ReturnType);
                    foreach (var parameter in sig.ParameterTypes) found.UnionWith(parameter);
                    if (method.RelativeVirtualAddress == 0) continue;
                    var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                    if (!body.LocalSignature.IsNil)
                        foreach (var local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null)) found.UnionWith(local);
                    foreach (var token in Tokens(body.GetILBytes() ?? Array.Empty<byte>())) provider.AddEntity(MetadataTokens.EntityHandle(token), found);
                }
                foreach (var target in found)
                {
                    var targetDef = md.GetTypeDefinition(Outermost(md, target));
                    results.Add(new Reference(from, fromType, md.GetString(targetDef.Namespace), md.GetString(targetDef.Name)));
                }
            }
            return results;
        }

        private static TypeDefinitionHandle Outermost(MetadataReader md, TypeDefinitionHandle handle)
        {
            while (true)
            {
                var declaring = md.GetTypeDefinition(handle).GetDeclaringType();
                if (declaring.IsNil) return handle;
                handle = declaring;
            }
        }

        private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value, o => o.OperandType);

        /// <summary>The metadata tokens an IL body names (fields, methods, types, signatures).</summary>
        private static IEnumerable<int> Tokens(byte[] il)
        {
            int i = 0;
            while (i < il.Length)
            {
                short code = il[i] == 0xFE ? (short)(0xFE00 | il[++i]) : il[i];
                i++;
                switch (OperandTypes[code])
                {
                    case OperandType.InlineField: case OperandType.InlineMethod: case OperandType.InlineTok: case OperandType.InlineType: case OperandType.InlineSig:
                        yield return BitConverter.ToInt32(il, i); i += 4; break;
                    case OperandType.InlineNone: break;
                    case OperandType.ShortInlineBrTarget: case OperandType.ShortInlineI: case OperandType.ShortInlineVar: i += 1; break;
                    case OperandType.InlineVar: i += 2; break;
                    case OperandType.InlineI8: case OperandType.InlineR: i += 8; break;
                    case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                    default: i += 4; break;
                }
            }
        }

        /// <summary>Decodes signatures into the set of this assembly's types they name.</summary>
        private sealed class TypeCollector : ISignatureTypeProvider<ImmutableHashSet<TypeDefinitionHandle>, object?>
        {
            private static readonly ImmutableHashSet<TypeDefinitionHandle> None = ImmutableHashSet<TypeDefinitionHandle>.Empty;
            private readonly MetadataReader _md;
            public TypeCollector(MetadataReader md) => _md = md;

            public void AddEntity(EntityHandle handle, HashSet<TypeDefinitionHandle> into)
            {
                if (handle.IsNil) return;
                switch (handle.Kind)
                {
                    case HandleKind.TypeDefinition: into.Add((TypeDefinitionHandle)handle); break;
                    case HandleKind.TypeSpecification: into.UnionWith(_md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null)); break;
                    case HandleKind.MethodDefinition: into.Add(_md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType()); break;
                    case HandleKind.FieldDefinition: into.Add(_md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType()); break;
                    case HandleKind.MemberReference:
                        var member = _md.GetMemberReference((MemberReferenceHandle)handle);
                        AddEntity(member.Parent, into);
                        if (member.GetKind() == MemberReferenceKind.Method)
                        {
                            var sig = member.DecodeMethodSignature(this, null);
                            into.UnionWith(sig.ReturnType);
                            foreach (var p in sig.ParameterTypes) into.UnionWith(p);
                        }
                        else into.UnionWith(member.DecodeFieldSignature(this, null));
                        break;
                    case HandleKind.MethodSpecification:
                        var spec = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                        AddEntity(spec.Method, into);
                        foreach (var argument in spec.DecodeSignature(this, null)) into.UnionWith(argument);
                        break;
                    case HandleKind.StandaloneSignature:
                        var standalone = _md.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                        if (standalone.GetKind() == StandaloneSignatureKind.Method)
                        {
                            var sig = standalone.DecodeMethodSignature(this, null);
                            into.UnionWith(sig.ReturnType);
                            foreach (var p in sig.ParameterTypes) into.UnionWith(p);
                        }
                        break;
                }
            }

            public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => None.Add(handle);
            public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => None;
            public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
                reader.GetTypeSpecification(handle).DecodeSignature(this, context);
            public ImmutableHashSet<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
            public ImmutableHashSet<TypeDefinitionHandle> GetSZArrayType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
            public ImmutableHashSet<TypeDefinitionHandle> GetArrayType(ImmutableHashSet<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;
            public ImmutableHashSet<TypeDefinitionHandle> GetByReferenceType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
            public ImmutableHashSet<TypeDefinitionHandle> GetPointerType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
            public ImmutableHashSet<TypeDefinitionHandle> GetPinnedType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
            public ImmutableHashSet<TypeDefinitionHandle> GetGenericInstantiation(ImmutableHashSet<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableHashSet<TypeDefinitionHandle>> typeArguments) =>
                typeArguments.Aggregate(genericType, (all, a) => all.Union(a));
            public ImmutableHashSet<TypeDefinitionHandle> GetGenericMethodParameter(object? context, int index) => None;
            public ImmutableHashSet<TypeDefinitionHandle> GetGenericTypeParameter(object? context, int index) => None;
            public ImmutableHashSet<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableHashSet<TypeDefinitionHandle>> signature) => None;
            public ImmutableHashSet<TypeDefinitionHandle> GetModifiedType(ImmutableHashSet<TypeDefinitionHandle> modifier, ImmutableHashSet<TypeDefinitionHandle> unmodifiedType, bool isRequired) => unmodifiedType;
        }
    }
}
