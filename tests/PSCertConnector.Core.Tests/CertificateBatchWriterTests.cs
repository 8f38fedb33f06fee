using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FluentAssertions;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    /// <summary>Storing a page of certificates at once gives what storing them one by one in order gives, on each engine.</summary>
    public abstract class CertificateBatchWriterTests
    {
        private readonly Func<StoreSettings?> _store;

        protected CertificateBatchWriterTests(Func<StoreSettings?> store) => _store = store;

        protected Workspace Open(TempHome home) => Workspace.Open(home.Path, store: _store());

        [Fact]
        public void A_page_stores_new_rows_refreshes_known_ones_and_passes_over_an_unreadable_one()
        {
            using var home = new TempHome();
            using var ws = Open(home);
            var ders = Issue(150);
            var store = ws.Store;
            // Already stored before the page: tagged "old", business unit "Finance".
            store.UpsertCertificate(Upsert(ders[10], new[] { "old" }, "Finance")).Should().Be(InventoryStore.UpsertOutcome.Inserted);
            store.UpsertCertificate(Upsert(ders[100], new[] { "page" }, null)).Should().Be(InventoryStore.UpsertOutcome.Inserted);

            var revokedAt = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
            var page = ders.Select(d => Upsert(d, new[] { "page" }, null)).ToList();
            page.Insert(70, Upsert(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, new[] { "page" }, null)); // unreadable
            // ders[5] again later in the same page (another statement's chunk), now revoked and with another tag.
            page.Add(Upsert(ders[5], new[] { "second" }, "Ops") with { RevokedAt = revokedAt, Reason = RevocationReason.KeyCompromise });
            var results = store.UpsertCertificates(page);

            results.Should().HaveCount(page.Count);
            results[70].Error!.ErrorId.Should().Be("MalformedCertificate");
            results.Count(r => r.Error != null).Should().Be(1);
            results[10].Outcome.Should().Be(InventoryStore.UpsertOutcome.Updated, "the stored row gains the tag 'page'");
            results[101].Outcome.Should().Be(InventoryStore.UpsertOutcome.Unchanged, "ders[100] was stored with the same tag and no revocation");
            results[page.Count - 1].Outcome.Should().Be(InventoryStore.UpsertOutcome.Updated, "the repeat is revoked");
            results.Count(r => r.Outcome == InventoryStore.UpsertOutcome.Inserted && r.Error == null).Should().Be(148);
            store.CountCertificates().Should().Be(150);

            var all = store.QueryCertificates(new CertificateQuery()).ToDictionary(c => c.SerialNumber);
            var known = all[Serial(10)];
            known.Tags.Should().BeEquivalentTo("old", "page");
            known.BusinessUnit.Should().Be("Finance", "a page without a business unit keeps the stored one");
            var repeated = all[Serial(5)];
            repeated.RevokedAt.Should().Be(revokedAt);
            repeated.RevocationReason.Should().Be(RevocationReason.KeyCompromise);
            repeated.Tags.Should().BeEquivalentTo("page", "second");
            repeated.BusinessUnit.Should().Be("Ops");
            all[Serial(149)].Subject.Should().Be("CN=batch149.contoso.com");
            all[Serial(149)].Tags.Should().Equal("page");
        }

        [Fact]
        public void Insert_only_leaves_a_stored_row_as_it_is()
        {
            using var home = new TempHome();
            using var ws = Open(home);
            var ders = Issue(3);
            ws.Store.UpsertCertificate(Upsert(ders[1], new[] { "a" }, "Finance"));
            var results = ws.Store.UpsertCertificates(ders.Select(d => Upsert(d, new[] { "b" }, "Ops") with { InsertOnly = true, RevokedAt = DateTimeOffset.UtcNow }).ToList());
            results.Select(r => r.Outcome).Should().Equal(InventoryStore.UpsertOutcome.Inserted, InventoryStore.UpsertOutcome.Unchanged, InventoryStore.UpsertOutcome.Inserted);
            var kept = ws.Store.QueryCertificates(new CertificateQuery { SerialNumber = Serial(1) }).Single();
            kept.Tags.Should().Equal("a");
            kept.BusinessUnit.Should().Be("Finance");
            kept.RevokedAt.Should().BeNull();
        }

        [Fact]
        public void A_page_repeating_a_certificate_many_times_stores_it_once_with_every_change_in_order()
        {
            using var home = new TempHome();
            using var ws = Open(home);
            var ders = Issue(20);
            var page = ders.Select(d => Upsert(d, new[] { "base" }, null)).ToList();
            for (int i = 0; i < 20; i++) page.Add(Upsert(ders[3], new[] { "t" + (i % 4) }, i == 7 ? "Ops" : null));
            var results = ws.Store.UpsertCertificates(page);

            results.Take(20).Should().OnlyContain(r => r.Outcome == InventoryStore.UpsertOutcome.Inserted);
            results.Skip(20).Select(r => r.Outcome).Should().Equal(Enumerable.Range(0, 20).Select(i =>
                i < 4 || i == 7 ? InventoryStore.UpsertOutcome.Updated : InventoryStore.UpsertOutcome.Unchanged),
                "the first of each new tag and the business unit change the row; the repeats of a tag do not");
            var row = ws.Store.QueryCertificates(new CertificateQuery { SerialNumber = Serial(3) }).Single();
            row.Tags.Should().BeEquivalentTo("base", "t0", "t1", "t2", "t3");
            row.BusinessUnit.Should().Be("Ops");
            ws.Store.CountCertificates().Should().Be(20);
            ws.Store.QueryCertificates(new CertificateQuery { Name = "batch1*" }).Should().HaveCount(11, "batch1 and batch10 to batch19 have their names stored");
        }

        [Fact]
        public void A_limited_name_query_over_a_wildcard_most_rows_match_gives_the_first_in_expiry_order_as_the_unlimited_one()
        {
            using var home = new TempHome();
            using var ws = Open(home);
            // 10,200 names end in '.contoso.com' (a subject and a common name each): past the count where the query reads in result order.
            var ders = Issue(5_100);
            for (int i = 0; i < ders.Count; i += 1_000) ws.Store.UpsertCertificates(ders.Skip(i).Take(1_000).Select(d => Upsert(d, new[] { "t" }, null)).ToList());

            var all = ws.Store.QueryCertificates(new CertificateQuery { Name = "*.contoso.com" });
            all.Should().HaveCount(5_100);
            ws.Store.QueryCertificates(new CertificateQuery { Name = "*.contoso.com", Limit = 25 }).Select(c => c.Id).Should().Equal(all.Take(25).Select(c => c.Id));
            ws.Store.QueryCertificates(new CertificateQuery { Name = "batch4*", Limit = 5 }).Select(c => c.CommonName).Should()
                .Equal(ws.Store.QueryCertificates(new CertificateQuery { Name = "batch4*" }).Take(5).Select(c => c.CommonName), "few names: the range is read first");
        }

        private protected static InventoryStore.CertificateUpsert Upsert(byte[] der, string[] tags, string? businessUnit) =>
            new(der, "c", CertificateSource.Imported, "WebServer", "1", businessUnit, tags, null, null);

        private protected static string Serial(int i) => "5A" + i.ToString("X4");

        private protected static List<byte[]> Issue(int count)
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var generator = X509SignatureGenerator.CreateForECDsa(caKey);
            var issuer = new X500DistinguishedName("CN=Batch Test CA");
            var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
            return Enumerable.Range(0, count).Select(i =>
            {
                var request = new CertificateRequest($"CN=batch{i}.contoso.com", key, HashAlgorithmName.SHA256);
                using var certificate = request.Create(issuer, generator, notBefore, notBefore.AddDays(90), Convert.FromHexString(Serial(i)));
                return certificate.RawData;
            }).ToList();
        }
    }

    public sealed class CertificateBatchWriterOnSqliteTests : CertificateBatchWriterTests
    {
        public CertificateBatchWriterOnSqliteTests() : base(() => null) { }

        [Fact]
        public void A_bulk_import_builds_the_serial_and_thumbprint_indexes_at_its_end_and_opening_rebuilds_them_after_a_kill()
        {
            using var home = new TempHome();
            var sink = new RecordingSink();
            string serial, thumbprint;
            using (var ws = Workspace.Open(home.Path))
            {
                new ConnectorOperations(ws, sink).Add(new ConnectorDefinition { Name = "c", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" } }, null);
                var ca = ((LocalConnector)ws.Connect("c")).Authority;
                using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
                var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=bulk", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key);
                for (int i = 0; i < 7; i++) ca.Submit(csr, "User", new Dictionary<string, string>());
                new ImportOperation(ws, sink).Import(new[] { "c" }, new ImportOptions { BatchSize = 2 });
                sink.Verbose.Should().Contain(v => v.StartsWith("Built the serial and thumbprint indexes of 7 certificates"), "the empty inventory got more than a page");
                LookupIndexes(ws.Store.Location).Should().BeEquivalentTo("ix_certificates_serial", "ix_certificates_sha1", "ix_certificates_sha256");
                var one = ws.Store.QueryCertificates(new CertificateQuery()).First();
                (serial, thumbprint) = (one.SerialNumber, one.ThumbprintSha256);

                // A second import of the same CA adds nothing: the indexes stay in place.
                sink.Verbose.Clear();
                new ImportOperation(ws, sink).Import(new[] { "c" }, new ImportOptions { BatchSize = 2, Mode = ImportMode.Full });
                sink.Verbose.Should().NotContain(v => v.Contains("indexes"));

                ws.Store.DropCertificateLookupIndexes(); // as a bulk import killed halfway leaves them
                LookupIndexes(ws.Store.Location).Should().BeEmpty();
            }
            using (var ws = Workspace.Open(home.Path))
            {
                LookupIndexes(ws.Store.Location).Should().BeEquivalentTo("ix_certificates_serial", "ix_certificates_sha1", "ix_certificates_sha256");
                ws.Store.QueryCertificates(new CertificateQuery { SerialNumber = serial }).Should().ContainSingle();
                ws.Store.QueryCertificates(new CertificateQuery { Thumbprint = thumbprint }).Should().ContainSingle();
            }
        }

        private static List<string> LookupIndexes(string path)
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('ix_certificates_serial', 'ix_certificates_sha1', 'ix_certificates_sha256')";
            using var reader = command.ExecuteReader();
            var names = new List<string>();
            while (reader.Read()) names.Add(reader.GetString(0));
            return names;
        }
    }

    /// <summary>The same pages on PostgreSQL, where pages of 16 rows or more go through COPY and one merge.</summary>
    [Collection(PostgreSqlCollection.Name)]
    public sealed class CertificateBatchWriterOnPostgreSqlTests : CertificateBatchWriterTests
    {
        public CertificateBatchWriterOnPostgreSqlTests(PostgreSqlServer server) : base(() => StoreSettings.Shared(server.NewDatabase(), server.PasswordFile)) { }

        [Fact]
        public void A_bulk_import_into_the_shared_store_keeps_its_indexes_for_the_other_hosts()
        {
            using var home = new TempHome();
            var sink = new RecordingSink();
            using var ws = Open(home);
            new ConnectorOperations(ws, sink).Add(new ConnectorDefinition { Name = "c", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" } }, null);
            var ca = ((LocalConnector)ws.Connect("c")).Authority;
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=bulk", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key);
            for (int i = 0; i < 40; i++) ca.Submit(csr, "User", new Dictionary<string, string>());
            new ImportOperation(ws, sink).Import(new[] { "c" }, new ImportOptions { BatchSize = 20 });

            sink.Errors.Should().BeEmpty();
            ws.Store.CountCertificates().Should().Be(40);
            sink.Verbose.Should().NotContain(v => v.Contains("indexes"));
            ws.Store.Database.Query("SELECT indexname FROM pg_indexes WHERE tablename IN ('certificates', 'certificate_names')", r => r.GetString(0))
                .Should().Contain(new[] { "ix_certificates_serial", "ix_certificates_sha1", "ix_certificates_sha256", "ix_certificate_names_name", "ix_certificate_names_reversed" });
            ws.Store.QueryCertificates(new CertificateQuery { Name = "bulk" }).Should().HaveCount(40);
        }
    }
}
