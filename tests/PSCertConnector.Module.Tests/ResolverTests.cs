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
        [InlineData("WINDOWS")]
        [InlineData("LINUX")]
        [InlineData("OSX")]
        public void PowerShell_7_gets_the_working_ldap_assembly_for_each_os_and_never_the_throwing_facade(string os)
        {
            var path = PSCertConnector.Commands.ModuleInitializer.LdapAssemblyPath(Deps, OSPlatform.Create(os));
            File.Exists(path).Should().BeTrue(path);
            new FileInfo(path).Length.Should().BeGreaterThan(120_000, "the real implementation, not the 77 KB netstandard2.0 facade");
            PSCertConnector.Commands.ModuleInitializer.DependencyPath(Deps, "System.DirectoryServices.Protocols")
                .Should().BeNull("the netstandard2.0 build throws PlatformNotSupported everywhere and is left out");
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
