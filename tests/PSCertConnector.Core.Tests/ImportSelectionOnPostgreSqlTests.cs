using FluentAssertions;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>The import-selection tests again, on a shared PostgreSQL inventory (its COPY path for pages of 16 rows or more).</summary>
    [Collection(PostgreSqlCollection.Name)]
    public sealed class ImportSelectionOnPostgreSqlTests : ImportSelectionTests
    {
        public ImportSelectionOnPostgreSqlTests(PostgreSqlServer server) : base(StoreSettings.Shared(server.NewDatabase(), server.PasswordFile)) { }
    }
}
