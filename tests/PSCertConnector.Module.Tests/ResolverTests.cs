using System.Runtime.InteropServices;
using FluentAssertions;
using Xunit;

namespace PSCertConnector.Module.Tests
{
    /// <summary>The dependency resolver's path rules, run for real against the built layout.</summary>
    [Collection("module")]
    public sealed class ResolverTests
    {
        private readonly ModuleUnderTest _m;
        public ResolverTests(ModuleUnderTest module) => _m = module;

        private string Deps => Path.Combine(_m.Root, "dependencies");

        [Fact]
        public void Resolves_shipped_dependencies_by_simple_name_and_nothing_else()
        {
            PSCertConnector.Commands.ModuleInitializer.DependencyPath(Deps, "BouncyCastle.Crypto, Version=1.8.10.0, Culture=neutral, PublicKeyToken=0e99375e54769942")
                .Should().Be(Path.Combine(Deps, "BouncyCastle.Crypto.dll"));
            PSCertConnector.Commands.ModuleInitializer.DependencyPath(Deps, "PSCertConnector.Core").Should().NotBeNull();
            PSCertConnector.Commands.ModuleInitializer.DependencyPath(Deps, "Newtonsoft.Json, Version=13.0.0.0").Should().BeNull("we do not ship it, so another module's copy is not hijacked");
            PSCertConnector.Commands.ModuleInitializer.DependencyPath(Deps, "System.Management.Automation").Should().BeNull();
        }

        [Theory]
        [InlineData("WINDOWS", Architecture.X64)]
        [InlineData("LINUX", Architecture.X64)]
        [InlineData("LINUX", Architecture.Arm64)]
        [InlineData("OSX", Architecture.Arm64)]
        public void The_native_sqlite_for_each_platform_is_in_the_layout(string os, Architecture architecture)
        {
            var path = PSCertConnector.Commands.ModuleInitializer.NativeSqlitePath(Deps, OSPlatform.Create(os), architecture);
            File.Exists(path).Should().BeTrue(path);
        }
    }
}
