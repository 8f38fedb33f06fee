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
            PSCertConnector.Loader.ModuleLayout.DependencyPath(Deps, "Microsoft.Data.Sqlite, Version=10.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60")
                .Should().Be(Path.Combine(Deps, "Microsoft.Data.Sqlite.dll"));
            PSCertConnector.Loader.ModuleLayout.DependencyPath(Deps, "PSCertConnector.Core").Should().NotBeNull();
            PSCertConnector.Loader.ModuleLayout.DependencyPath(Deps, "Newtonsoft.Json, Version=13.0.0.0").Should().BeNull("we do not ship it, so another module's copy is not hijacked");
            PSCertConnector.Loader.ModuleLayout.DependencyPath(Deps, "System.Management.Automation").Should().BeNull();
        }

        [Theory]
        [InlineData("WINDOWS")]
        [InlineData("LINUX")]
        [InlineData("OSX")]
        public void PowerShell_7_gets_the_working_ldap_assembly_for_each_os_and_never_the_throwing_facade(string os)
        {
            var path = PSCertConnector.Loader.ModuleLayout.LdapAssemblyPath(Deps, OSPlatform.Create(os));
            File.Exists(path).Should().BeTrue(path);
            new FileInfo(path).Length.Should().BeGreaterThan(120_000, "the real implementation, not the 77 KB netstandard2.0 facade");
            PSCertConnector.Loader.ModuleLayout.DependencyPath(Deps, "System.DirectoryServices.Protocols")
                .Should().BeNull("the netstandard2.0 build throws PlatformNotSupported everywhere and is left out");
        }

        [Theory]
        [InlineData("WINDOWS", Architecture.X64, false)]
        [InlineData("WINDOWS", Architecture.X86, false)]
        [InlineData("WINDOWS", Architecture.Arm64, false)]
        [InlineData("LINUX", Architecture.X64, false)]
        [InlineData("LINUX", Architecture.Arm64, false)]
        [InlineData("LINUX", Architecture.X64, true)]
        [InlineData("LINUX", Architecture.Arm64, true)]
        [InlineData("OSX", Architecture.X64, false)]
        [InlineData("OSX", Architecture.Arm64, false)]
        public void The_native_sqlite_for_each_platform_is_in_the_layout(string os, Architecture architecture, bool musl)
        {
            var rid = PSCertConnector.Loader.ModuleLayout.NativeRuntimeIdentifier(OSPlatform.Create(os), architecture, musl);
            var path = PSCertConnector.Loader.ModuleLayout.NativeSqlitePath(Deps, rid);
            File.Exists(path).Should().BeTrue(path);
        }
    }
}
