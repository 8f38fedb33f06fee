using System.Text;
using FluentAssertions;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>A shared PostgreSQL store's secrets under one key the hosts share, its rotation, and migrations only when asked.</summary>
    [Collection(PostgreSqlCollection.Name)]
    public sealed class SharedStoreKeyTests : IDisposable
    {
        private static readonly byte[] Secret = Encoding.UTF8.GetBytes("api-key-7f3a");
        private readonly PostgreSqlServer _server;
        private readonly string _connection;
        private readonly TempHome _files = new();
        private readonly List<TempHome> _homes = new();

        public SharedStoreKeyTests(PostgreSqlServer server)
        {
            _server = server;
            _connection = server.NewDatabase();
        }

        public void Dispose()
        {
            foreach (var home in _homes) home.Dispose();
            _files.Dispose();
        }

        private string NewKey(string name)
        {
            var path = _files.File(name);
            KeyFileSecretProtector.CreateKeyFile(path);
            return path;
        }

        /// <summary>A host: a home of its own on the shared store, with the key file it was given.</summary>
        private Workspace Host(string? keyFile)
        {
            var home = new TempHome();
            _homes.Add(home);
            return Workspace.Open(home.Path, store: StoreSettings.Shared(_connection, _server.PasswordFile, keyFile));
        }

        [Fact]
        public void Hosts_with_the_shared_key_read_a_secret_and_a_host_with_another_key_is_refused_before_it_writes()
        {
            var keyA = NewKey("a.key");
            using (var first = Host(keyA))
                new ConnectorOperations(first, new RecordingSink()).Add(new ConnectorDefinition { Name = "ces", Type = "local" }, Secret);
            using (var second = Host(keyA))
                second.Store.GetConnectorSecret("ces").Should().Equal(Secret);

            using var other = Host(NewKey("b.key"));
            other.Invoking(w => w.Store.GetConnectorSecret("ces")).Should().Throw<PscException>()
                .Where(e => e.ErrorId == "SecretKeyMismatch" && e.Message.Contains(StoreSettings.KeyFileVariable));
            var sink = new RecordingSink();
            new ConnectorOperations(other, sink).Add(new ConnectorDefinition { Name = "second", Type = "local" }, Secret);
            sink.Errors.Should().ContainSingle(e => e.ErrorId == "SecretKeyMismatch");
            other.Store.GetConnector("second").Should().BeNull("nothing is stored under a key the other hosts cannot read");
        }

        [Fact]
        public void Rotation_re_protects_every_secret_and_then_only_the_new_key_reads_them()
        {
            var oldKey = NewKey("old.key");
            var newKey = NewKey("new.key");
            using (var admin = Host(oldKey))
            {
                new ConnectorOperations(admin, new RecordingSink()).Add(new ConnectorDefinition { Name = "ces", Type = "local" }, Secret);
                var sink = new RecordingSink(shouldProcess: true);
                new StoreOperations(admin, sink).RotateKey(newKey);
                sink.Errors.Should().BeEmpty();
                sink.Warnings.Should().ContainSingle().Which.Should().Contain("1 secret(s) re-protected");
                sink.Single<StoreStatus>().StoreSecretKey.Should().Be("key-file:" + new KeyFileSecretProtector(newKey, createIfMissing: false).KeyId);
            }
            using (var updated = Host(newKey))
                updated.Store.GetConnectorSecret("ces").Should().Equal(Secret);
            using var stale = Host(oldKey);
            stale.Invoking(w => w.Store.GetConnectorSecret("ces")).Should().Throw<PscException>().Where(e => e.ErrorId == "SecretKeyMismatch");
        }

        [Fact]
        public void A_missing_shared_key_file_is_named_and_nothing_is_created_in_its_place()
        {
            var missing = _files.File("never-made.key");
            using var host = Host(missing);
            var sink = new RecordingSink();
            new ConnectorOperations(host, sink).Add(new ConnectorDefinition { Name = "ces", Type = "local" }, Secret);
            sink.Errors.Should().ContainSingle(e => e.ErrorId == "SecretKeyMissing" && e.Message.Contains(missing));
            File.Exists(missing).Should().BeFalse();
        }

        [Fact]
        public void An_older_shared_schema_is_shown_and_migrated_only_when_asked()
        {
            using (var db = SqlEngines.OpenPostgreSql(_connection, _server.Password))
                db.Migrate(InventoryStore.SchemaMigrations.Take(4).ToList(), "inventory database").Should().Be(4);

            var home = new TempHome();
            _homes.Add(home);
            var settings = StoreSettings.Shared(_connection, _server.PasswordFile);
            FluentActions.Invoking(() => Workspace.Open(home.Path, store: settings)).Should().Throw<PscException>()
                .Where(e => e.ErrorId == "StoreNeedsMigration" && e.Message.Contains("schema version 4") && e.Message.Contains("store migrate"));

            using (var admin = Workspace.Open(home.Path, store: settings, anySchemaVersion: true))
            {
                var whatIf = new RecordingSink(shouldProcess: false);
                new StoreOperations(admin, whatIf).Migrate();
                whatIf.Single<StoreStatus>().PendingMigrations.Should().Be(InventoryStore.LatestSchemaVersion - 4, "-WhatIf changes nothing");
                var sink = new RecordingSink();
                new StoreOperations(admin, sink).Migrate();
                sink.Single<StoreStatus>().Should().Match<StoreStatus>(s => s.SchemaVersion == InventoryStore.LatestSchemaVersion && s.PendingMigrations == 0 && s.Engine == "PostgreSQL");
            }
            using var user = Workspace.Open(home.Path, store: settings);
            user.Store.SchemaVersion.Should().Be(InventoryStore.LatestSchemaVersion);
        }
    }
}
