using FluentAssertions;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>One PostgreSQL cluster for every test of the assembly that needs one.</summary>
    [CollectionDefinition(Name)]
    public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
    {
        public const string Name = "PostgreSQL";
    }

    /// <summary>Every operations test again, on a shared PostgreSQL inventory (a database of its own per test).</summary>
    [Collection(PostgreSqlCollection.Name)]
    public sealed class OperationsOnPostgreSqlTests : OperationsTests
    {
        public OperationsOnPostgreSqlTests(PostgreSqlServer server) : base(StoreSettings.Shared(server.NewDatabase(), server.PasswordFile)) { }

        [Fact]
        public void The_inventory_of_these_tests_is_the_PostgreSQL_server() => Engine.Should().Be("PostgreSQL");
    }
}
