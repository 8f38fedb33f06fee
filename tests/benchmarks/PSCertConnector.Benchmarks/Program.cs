using System.Diagnostics;
using Microsoft.Data.Sqlite;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Connectors.Embedded;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

// Each benchmark prints our figure, its baseline from this same run, and the ratio.
int importCount = Arg("--import-count", 100_000);
int crlEntries = Arg("--crl-entries", 1_000_000);
int issueCount = Arg("--issue-count", 2_000);
int cesCount = Arg("--ces-count", 1_000);
int cesClients = Arg("--ces-clients", 4);
int dcomRows = Arg("--dcom-rows", 1_000_000);
int selectionRows = Arg("--selection-rows", 200_000);
int scepCount = Arg("--scep-count", 100);
var only = Environment.GetCommandLineArgs().SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
// --engine postgresql: import and dcom store into a private PostgreSQL cluster (Debian's server, on loopback) instead of the home's SQLite.
var engine = Environment.GetCommandLineArgs().SkipWhile(a => a != "--engine").Skip(1).FirstOrDefault() ?? "sqlite";
if (engine is not ("sqlite" or "postgresql")) throw new ArgumentException("--engine is sqlite or postgresql");
using var postgres = engine == "postgresql" ? new PSCertConnector.Tests.PostgreSqlServer() : null;
StoreSettings? Store() => postgres == null ? null : StoreSettings.Shared(postgres.NewDatabase(), postgres.PasswordFile);
var root = Path.Combine(Path.GetTempPath(), "psc-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(root);
Console.WriteLine($"PSCertConnector benchmarks ({Environment.ProcessorCount} cores, {DateTime.UtcNow:u}); scratch: {root}");
try
{
    if (only is null or "issue") Issuance();
    if (only is null or "ces") CesIssuance();
    if (only is null or "import") Import();
    if (only is null or "dcom") DcomImport(); // and the queries on what it imported
    if (only is null or "crl") Crl();
    if (only is null or "selection") SelectiveImport();
    if (only is null or "scep") ScepIssuance();
}
finally
{
    try { Directory.Delete(root, true); } catch (IOException) { }
}

void Issuance()
{
    Console.WriteLine($"\n== Issuance: {issueCount} requests through the embedded CA (RSA 2048 issuing CA, SHA-256) vs openssl speed rsa2048 signing");
    using var ca = EmbeddedCertificateAuthority.OpenOrCreate(Path.Combine(root, "issue-ca"), SecretProtector.ForHome(root), new EmbeddedCaSettings { Name = "Bench" });
    using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
    var csrs = Enumerable.Range(0, issueCount).Select(i => CsrBuilder.Build(new RequestSpec { Subject = $"CN=host{i}.bench", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key)).ToList();
    var none = new Dictionary<string, string>();
    ca.Submit(csrs[0], "WebServer", none); // warm-up
    var watch = Stopwatch.StartNew();
    for (int i = 1; i < csrs.Count; i++) ca.Submit(csrs[i], "WebServer", none);
    double ours = (csrs.Count - 1) / watch.Elapsed.TotalSeconds;
    var speed = RunProcess("openssl", "speed -seconds 3 rsa2048");
    // "rsa 2048 bits 0.000611s 0.000018s   1636.4  55258.2": sign/s is the second number from the end.
    var line = speed.Split('\n').First(l => l.TrimStart().StartsWith("rsa 2048 bits") || l.TrimStart().StartsWith("rsa  2048 bits"));
    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    double opensslSigns = double.Parse(parts[^2], System.Globalization.CultureInfo.InvariantCulture);
    Report("certificates issued per second (submit, policy, sign, store)", ours, "openssl rsa2048 signs per second", opensslSigns, "/s");
}

void CesIssuance()
{
    Console.WriteLine($"\n== CES: {cesCount} requests through the adcs-ces connector to the Lab over HTTPS ({cesClients} concurrent clients) vs the same CA's direct issuance");
    var labHome = Path.Combine(root, "lab");
    using var authority = PSCertConnector.Lab.LabAuthority.OpenOrCreate(labHome);
    var server = PSCertConnector.Lab.LabServer.StartAsync(authority, new PSCertConnector.Lab.LabOptions
    {
        Users = new Dictionary<string, string> { ["bench"] = "bench-password" },
    }).GetAwaiter().GetResult();
    try
    {
        using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
        var csrs = Enumerable.Range(0, cesCount).Select(i => CsrBuilder.Build(new RequestSpec { Subject = $"CN=ces{i}.bench", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key)).ToList();
        var none = new Dictionary<string, string>();

        // Baseline: the Lab's own embedded CA, called directly, same requests, same process.
        authority.Ca.Submit(csrs[0], "WebServer", none);
        var direct = Stopwatch.StartNew();
        foreach (var csr in csrs) authority.Ca.Submit(csr, "WebServer", none);
        double directRate = csrs.Count / direct.Elapsed.TotalSeconds;

        var definition = new ConnectorDefinition
        {
            Name = "bench-ces", Type = "adcs-ces",
            Settings = new Dictionary<string, string>
            {
                ["host"] = "localhost", ["port"] = server.BaseUri.Port.ToString(), ["caName"] = authority.CaName,
                ["user"] = "bench", ["caBundle"] = authority.BundlePath,
            },
        };
        var type = ConnectorRegistry.CreateDefault().Get("adcs-ces");
        var secret = System.Text.Encoding.UTF8.GetBytes("bench-password");
        var protector = SecretProtector.ForHome(root);
        var clients = Enumerable.Range(0, cesClients).Select(_ => type.Open(definition, new ConnectorSecrets(secret), root, protector, false)).ToList();
        clients[0].Submit(csrs[0], "WebServer", none, default); // warm-up: TLS, JIT
        var latencies = new double[csrs.Count];
        int next = -1, failures = 0;
        var watch = Stopwatch.StartNew();
        var threads = clients.Select(client => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < csrs.Count)
            {
                var one = Stopwatch.StartNew();
                var result = client.Submit(csrs[i], "WebServer", none, default);
                latencies[i] = one.Elapsed.TotalMilliseconds;
                if (result.Status != SubmitStatus.Issued) Interlocked.Increment(ref failures);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        double cesRate = csrs.Count / watch.Elapsed.TotalSeconds;
        clients.ForEach(c => c.Dispose());
        if (failures > 0) throw new InvalidOperationException($"{failures} CES requests were not issued");
        Array.Sort(latencies);
        Report("certificates issued per second through CES (SOAP, TLS, UsernameToken, Lab, CA)", cesRate, "direct embedded-CA issuance of the same requests", directRate, "/s");
        Console.WriteLine($"   latency per request: p50 {latencies[latencies.Length / 2]:0.0} ms, p95 {latencies[(int)(latencies.Length * 0.95)]:0.0} ms");
    }
    finally
    {
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

void ScepIssuance()
{
    Console.WriteLine($"\n== SCEP: {scepCount} requests through the adcs-ndes connector (a one-time challenge from mscep_admin, then PKIOperation) vs the same requests through adcs-ces, one client, same Lab");
    var labHome = Path.Combine(root, "lab-scep");
    using var authority = PSCertConnector.Lab.LabAuthority.OpenOrCreate(labHome);
    var server = PSCertConnector.Lab.LabServer.StartAsync(authority, new PSCertConnector.Lab.LabOptions
    {
        Users = new Dictionary<string, string> { ["bench"] = "bench-password" },
    }).GetAwaiter().GetResult();
    try
    {
        // One RSA key per request (SCEP signs with the request's key and the CA encrypts to it); made before timing.
        var keys = Enumerable.Range(0, scepCount + 1).Select(_ => AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048)).ToList();
        var csrs = keys.Select((k, i) => CsrBuilder.Build(new RequestSpec { Subject = $"CN=scep{i}.bench" }, k)).ToList();
        var byId = keys.ToDictionary(k => k.KeyId);
        var settings = new Dictionary<string, string>
        {
            ["host"] = "localhost", ["port"] = server.BaseUri.Port.ToString(), ["caName"] = authority.CaName, ["user"] = "bench", ["caBundle"] = authority.BundlePath,
        };
        var protector = SecretProtector.ForHome(root);
        var registry = ConnectorRegistry.CreateDefault();
        // A copy of the key, as the workspace hands one out (the connector disposes of what it is given).
        var secrets = new ConnectorSecrets(System.Text.Encoding.UTF8.GetBytes("bench-password")) { RequesterKey = id => AsymmetricKey.ImportPkcs8(byId[id].ExportPkcs8()) };
        var none = new Dictionary<string, string>();
        double Rate(string type)
        {
            using var connector = registry.Get(type).Open(new ConnectorDefinition { Name = "bench-" + type, Type = type, Settings = settings }, secrets, root, protector, false);
            if (connector.Submit(csrs[^1], "Machine", none, default).Status != SubmitStatus.Issued) throw new InvalidOperationException(type + " warm-up was not issued");
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < scepCount; i++)
                if (connector.Submit(csrs[i], "Machine", none, default).Status != SubmitStatus.Issued) throw new InvalidOperationException($"{type} request {i} was not issued");
            return scepCount / watch.Elapsed.TotalSeconds;
        }
        var cesRate = Rate("adcs-ces");
        var scepRate = Rate("adcs-ndes");
        Report("certificates issued per second through NDES (challenge page, RSA-signed and AES-enveloped PKCSReq, CertRep)", scepRate,
            "the same requests through CES (SOAP, UsernameToken), same Lab and CA", cesRate, "/s");
        keys.ForEach(k => k.Dispose());
    }
    finally
    {
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

void DcomImport()
{
    Console.WriteLine($"\n== DCOM import: {dcomRows} CA database rows through the adcs-dcom connector (in-memory COM seam) into the {engine} inventory vs reading the same rows from the seam alone");
    var ca = new PSCertConnector.Tests.InMemoryCaCom();
    ca.AddSyntheticRows(dcomRows, revokedEvery: 50);
    var registry = ConnectorRegistry.CreateDefault();
    registry.Register(new PSCertConnector.Core.Connectors.Dcom.DcomConnectorType(() => ca));
    using var ws = Workspace.Open(Path.Combine(root, "dcom-home"), registry, Store());
    var sink = new QuietSink();
    new ConnectorOperations(ws, sink).Add(new ConnectorDefinition { Name = "corp", Type = "adcs-dcom", Settings = new Dictionary<string, string> { ["config"] = ca.ExpectedConfig } }, null);
    var connector = ws.Connect("corp");

    // Baseline: the connector paging the seam and parsing every certificate, storing nothing.
    var read = Stopwatch.StartNew();
    string? cursor = null;
    long rows = 0;
    while (true)
    {
        var page = connector.EnumerateIssued(cursor, 5000, default);
        foreach (var item in page.Items) { CertificateReader.Read(item.Certificate); rows++; }
        cursor = page.Cursor;
        if (!page.HasMore) break;
    }
    double readRate = rows / read.Elapsed.TotalSeconds;
    if (rows != dcomRows) throw new InvalidOperationException($"read {rows} rows, expected {dcomRows}");

    GC.Collect();
    long workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
    var import = Stopwatch.StartNew();
    new ImportOperation(ws, sink).Import(new[] { "corp" }, new ImportOptions { BatchSize = 5000, Mode = ImportMode.Full });
    double importRate = dcomRows / import.Elapsed.TotalSeconds;
    if (ws.Store.CountCertificates() != dcomRows) throw new InvalidOperationException("import stored the wrong number of rows");
    Report("CA database rows imported per second (page, parse, upsert, watermark per page)", importRate, "reading and parsing the same rows without storing them", readRate, "/s");
    Console.WriteLine($"   import took {import.Elapsed.TotalSeconds:0.0} s; working set before {workingSetBefore / 1048576} MiB, peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MiB; inventory {(postgres == null ? new FileInfo(ws.Store.Location).Length / 1048576 + " MiB" : ws.Store.Location)}");
    Queries(ws.Store, dcomRows);
}

// An import with a selection (half the rows match a subject wildcard) against the same import taking everything, each
// into a fresh inventory: what reading each certificate once more to test it costs, and what storing half as much saves.
void SelectiveImport()
{
    Console.WriteLine($"\n== Import selection: {selectionRows} CA database rows (DCOM seam), half selected by importSubject, vs the same import selecting everything");
    var ca = new PSCertConnector.Tests.InMemoryCaCom();
    ca.AddSyntheticRows(selectionRows, revokedEvery: 50);
    var registry = ConnectorRegistry.CreateDefault();
    registry.Register(new PSCertConnector.Core.Connectors.Dcom.DcomConnectorType(() => ca));
    double Run(string home, Dictionary<string, string> settings, out int stored)
    {
        using var ws = Workspace.Open(Path.Combine(root, home), registry, Store());
        var sink = new QuietSink();
        settings["config"] = ca.ExpectedConfig;
        new ConnectorOperations(ws, sink).Add(new ConnectorDefinition { Name = "corp", Type = "adcs-dcom", Settings = settings }, null);
        var watch = Stopwatch.StartNew();
        new ImportOperation(ws, sink).Import(new[] { "corp" }, new ImportOptions { BatchSize = 5000, Mode = ImportMode.Full });
        stored = ws.Store.CountCertificates();
        return selectionRows / watch.Elapsed.TotalSeconds;
    }
    double all = Run("selection-all", new Dictionary<string, string>(), out var storedAll);
    // Synthetic names are s<8 hex digits>.contoso.com: an even last digit is half of them.
    var even = string.Join(";", "02468ace".Select(d => $"s*{d}.contoso.com"));
    double selected = Run("selection-half", new Dictionary<string, string> { [ImportSelection.SubjectSetting] = even }, out var storedHalf);
    if (storedAll != selectionRows || Math.Abs(storedHalf - selectionRows / 2) > selectionRows / 100) throw new InvalidOperationException($"stored {storedAll} and {storedHalf}");
    Report($"CA rows processed per second with half selected ({storedHalf} stored)", selected, $"the same import taking everything ({storedAll} stored)", all, "/s");
}

// The `cert list` queries on the inventory the DCOM import filled; baseline: reading the same result rows by id.
void Queries(InventoryStore store, int count)
{
    if (postgres != null) store.Database.Execute("ANALYZE");
    Console.WriteLine($"\n== Queries ({engine}) on {count} certificates (InventoryStore.QueryCertificates, as cert list runs them), median of 5, vs reading the same rows by id; target 50 ms each");
    int id = Math.Min(count, 777_777) - 3; // not a multiple of 50: not revoked
    var serial = string.Concat(Enumerable.Repeat("5A", 12)) + Convert.ToHexString(BitConverter.GetBytes(id));
    var row = store.QueryCertificates(new CertificateQuery { SerialNumber = serial }).Single();
    var name = PSCertConnector.Tests.InMemoryCaCom.SyntheticName(id);
    var queries = new (string What, CertificateQuery Query)[]
    {
        ("expiring within 30 days", new CertificateQuery { ExpiringWithinDays = 30 }),
        ("by serial", new CertificateQuery { SerialNumber = serial }),
        ("by SHA-1 thumbprint", new CertificateQuery { Thumbprint = row.Thumbprint }),
        ("by SHA-256 thumbprint", new CertificateQuery { Thumbprint = row.ThumbprintSha256 }),
        ($"by name wildcard '{name.Substring(0, 7)}*'", new CertificateQuery { Name = name.Substring(0, 7) + "*" }),
        ($"by name wildcard '*{name.Substring(5)}'", new CertificateQuery { Name = "*" + name.Substring(5) }),
        ("by name wildcard '*.contoso.com', first 100", new CertificateQuery { Name = "*.contoso.com", Limit = 100 }),
    };
    foreach (var (what, query) in queries)
    {
        var found = store.QueryCertificates(query); // warm-up
        double ours = Median(() => store.QueryCertificates(query));
        var ids = found.Count == 0 ? "NULL" : string.Join(",", found.Select(c => c.Id));
        double floor = Median(() => store.Database.Query("SELECT * FROM certificates WHERE id IN (" + ids + ")", r => r.GetValue(r.GetOrdinal("der"))));
        Report($"{what} ({found.Count} rows)", ours, "reading those rows by id", floor, " ms", lowerIsBetter: true);
    }
}

static double Median(Action run)
{
    var times = new List<double>();
    for (int i = 0; i < 5; i++)
    {
        var watch = Stopwatch.StartNew();
        run();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times[2];
}

void Import()
{
    Console.WriteLine($"\n== Import: {importCount} issued certificates from the embedded CA into the {engine} inventory vs a plain {(postgres == null ? "SQLite bulk insert" : "binary COPY")} of the same rows");
    var home = Path.Combine(root, "import-home");
    using var ws = Workspace.Open(home, store: Store());
    var sink = new QuietSink();
    new ConnectorOperations(ws, sink).Add(new ConnectorDefinition { Name = "bench", Type = "local", Settings = new Dictionary<string, string> { ["keyAlgorithm"] = "ECDSA_P256" } }, null);
    var ca = ((LocalConnector)ws.Connect("bench")).Authority;
    using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
    var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=import.bench", KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyLength = 256 }, key);
    var setup = Stopwatch.StartNew();
    var none = new Dictionary<string, string>();
    for (int i = 0; i < importCount; i++) ca.Submit(csr, "User", none);
    Console.WriteLine($"   (setup: issued {importCount} certificates in {setup.Elapsed.TotalSeconds:0.0} s)");

    // Baseline: the same rows, already enumerated and parsed, inserted with one prepared statement in one transaction.
    var rows = new List<(CertificateDetails D, byte[] Der)>();
    var parseWatch = Stopwatch.StartNew();
    long parseAllocBefore = GC.GetTotalAllocatedBytes();
    string? cursor = null;
    while (true)
    {
        var page = ca.Enumerate(cursor, 5000);
        rows.AddRange(page.Items.Select(i => (CertificateReader.Read(i.Certificate), i.Certificate)));
        cursor = page.Cursor;
        if (!page.HasMore) break;
    }
    var enumerateAndParse = parseWatch.Elapsed.TotalSeconds;
    long parseAllocated = GC.GetTotalAllocatedBytes() - parseAllocBefore;
    ParseOnly(rows.Select(r => r.Der).ToList());
    var baseline = Stopwatch.StartNew();
    if (postgres != null) PlainCopy(ws.Store, rows);
    else PlainSqliteInsert(Path.Combine(root, "baseline.db"), rows);
    double baselineRate = rows.Count / baseline.Elapsed.TotalSeconds;

    var ours = Stopwatch.StartNew();
    long before = GC.GetTotalAllocatedBytes();
    new ImportOperation(ws, sink).Import(new[] { "bench" }, new ImportOptions { BusinessUnit = "Bench", Tags = new[] { "bench" }, BatchSize = 1000 });
    double ourRate = importCount / ours.Elapsed.TotalSeconds;
    if (ws.Store.CountCertificates() != importCount) throw new InvalidOperationException("import stored the wrong number of rows");
    Report("certificates imported per second (enumerate, parse, upsert, watermark)", ourRate,
        postgres == null ? "plain SQLite bulk insert of the same rows" : "plain binary COPY of the same rows into a table like the inventory's (same columns and indexes)", baselineRate, "/s");
    Console.WriteLine($"   breakdown: enumerating and parsing the same rows alone takes {enumerateAndParse:0.00} s of our {ours.Elapsed.TotalSeconds:0.00} s and allocates {parseAllocated / 1048576} MiB");
    Console.WriteLine($"   peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MiB; allocated during import {(GC.GetTotalAllocatedBytes() - before) / 1048576} MiB");
}

// Baseline for SQLite: the rows, already parsed, inserted with one prepared statement in one transaction.
static void PlainSqliteInsert(string path, List<(CertificateDetails D, byte[] Der)> rows)
{
    using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
    connection.Open();
    using (var create = connection.CreateCommand())
    {
        create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE certificates (id INTEGER PRIMARY KEY, issuer_key TEXT, serial TEXT, thumbprint TEXT, subject TEXT, not_after TEXT, der BLOB, UNIQUE(issuer_key, serial))";
        create.ExecuteNonQuery();
    }
    using var tx = connection.BeginTransaction();
    using var insert = connection.CreateCommand();
    insert.Transaction = tx;
    insert.CommandText = "INSERT INTO certificates (issuer_key, serial, thumbprint, subject, not_after, der) VALUES ($i, $s, $t, $subj, $na, $der)";
    var p = new[] { "$i", "$s", "$t", "$subj", "$na", "$der" }.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
    p[5].SqliteType = SqliteType.Blob;
    insert.Prepare();
    foreach (var (d, der) in rows)
    {
        p[0].Value = d.IssuerKey; p[1].Value = d.SerialNumber; p[2].Value = d.ThumbprintSha1; p[3].Value = d.Subject;
        p[4].Value = d.NotAfter.ToString("O"); p[5].Value = der;
        insert.ExecuteNonQuery();
    }
    tx.Commit();
}

// Baseline for PostgreSQL: the rows, already parsed, in one binary COPY into a table with the inventory's columns and indexes.
static void PlainCopy(InventoryStore store, List<(CertificateDetails D, byte[] Der)> rows)
{
    var db = store.Database;
    db.Execute("CREATE TABLE plain_copy (LIKE certificates INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)");
    var now = SqlDatabase.Time(DateTimeOffset.UtcNow);
    var columns = new[] { "connector", "issuer", "issuer_key", "serial", "thumbprint_sha1", "thumbprint_sha256", "subject", "common_name", "sans",
        "not_before", "not_after", "template", "business_unit", "tags", "source", "request_id", "der", "created_at", "updated_at" };
    db.InTransaction(() =>
    {
        db.Copy("plain_copy", columns, rows.Select(r => new object?[]
        {
            "bench", r.D.Issuer, r.D.IssuerKey, r.D.SerialNumber, r.D.ThumbprintSha1, r.D.ThumbprintSha256, r.D.Subject, r.D.CommonName,
            System.Text.Json.JsonSerializer.Serialize(r.D.SubjectAlternativeNames.Select(s => s.ToString())), SqlDatabase.Time(r.D.NotBefore), SqlDatabase.Time(r.D.NotAfter),
            r.D.Template, "Bench", "[\"bench\"]", "Imported", null, r.Der, now, now,
        }));
        return 0;
    });
    db.Execute("DROP TABLE plain_copy");
}

// Parsing alone, on DER already in memory: our reader vs the platform's X509Certificate2 reading the same fields.
void ParseOnly(List<byte[]> ders)
{
    Console.WriteLine($"\n== Parse: {ders.Count} certificates, the fields the inventory keeps, vs X509Certificate2 reading the same fields");
    foreach (var der in ders.Take(100)) { CertificateReader.Read(der); PlatformRead(der); } // warm-up
    GC.Collect();
    long before = GC.GetTotalAllocatedBytes(true);
    var ours = Stopwatch.StartNew();
    foreach (var der in ders) CertificateReader.Read(der);
    double ourRate = ders.Count / ours.Elapsed.TotalSeconds;
    double ourBytes = (GC.GetTotalAllocatedBytes(true) - before) / (double)ders.Count;
    GC.Collect();
    before = GC.GetTotalAllocatedBytes(true);
    // The platform reads about 30 times slower: the first 10,000 are enough for its rate and bytes per certificate.
    var sample = ders.Take(10_000).ToList();
    var theirs = Stopwatch.StartNew();
    foreach (var der in sample) PlatformRead(der);
    double theirRate = sample.Count / theirs.Elapsed.TotalSeconds;
    double theirBytes = (GC.GetTotalAllocatedBytes(true) - before) / (double)sample.Count;
    Report("certificates parsed per second", ourRate, "X509Certificate2 reading subject, issuer, serial, thumbprint, validity, SAN", theirRate, "/s");
    Report("bytes allocated per certificate parsed", ourBytes, "X509Certificate2 reading the same fields (managed allocation only)", theirBytes, " B", lowerIsBetter: true);
}

static void PlatformRead(byte[] der)
{
    using var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);
    _ = cert.Subject; _ = cert.Issuer; _ = cert.SerialNumber; _ = cert.Thumbprint; _ = cert.NotBefore; _ = cert.NotAfter;
    _ = cert.Extensions["2.5.29.17"]?.Format(false);
}

void Crl()
{
    Console.WriteLine($"\n== CRL: parse a {crlEntries}-entry CRL vs openssl crl -noout on the same file");
    using var ca = EmbeddedCertificateAuthority.OpenOrCreate(Path.Combine(root, "crl-ca"), SecretProtector.ForHome(root), new EmbeddedCaSettings { Name = "CrlBench", KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
    var pkcs8 = SecretProtector.ForHome(root).Unprotect(File.ReadAllBytes(Path.Combine(root, "crl-ca", "issuing.key.protected")));
    using var caKey = AsymmetricKey.ImportPkcs8(pkcs8);
    var signer = new CaSigner(ca.IssuingCertificate, caKey);
    var now = DateTimeOffset.UtcNow;
    var reasons = Enum.GetValues<RevocationReason>().Where(r => r != RevocationReason.RemoveFromCrl).ToArray();
    var entries = Enumerable.Range(1, crlEntries).Select(i => new CrlRevocation(i.ToString("X8") + "AB12CD34EF", now.AddMinutes(-i), reasons[i % reasons.Length]));
    var gen = Stopwatch.StartNew();
    var crl = signer.CreateCrl(1, now, now.AddDays(7), entries);
    var path = Path.Combine(root, "big.crl");
    File.WriteAllBytes(path, crl);
    Console.WriteLine($"   (setup: built and signed a {crl.Length / 1048576.0:0.0} MiB CRL in {gen.Elapsed.TotalSeconds:0.0} s)");

    CrlReader.Read(crl); // warm-up
    var ours = Stopwatch.StartNew();
    var info = CrlReader.Read(File.ReadAllBytes(path));
    double ourSeconds = ours.Elapsed.TotalSeconds;
    if (info.Entries.Count != crlEntries) throw new InvalidOperationException("wrong entry count");
    var theirs = Stopwatch.StartNew();
    RunProcess("openssl", $"crl -inform DER -in {path} -noout");
    double opensslSeconds = theirs.Elapsed.TotalSeconds;
    Report("CRL parse time, seconds (all entries with serial, date, reason)", ourSeconds, "openssl crl -noout (process included)", opensslSeconds, " s", lowerIsBetter: true);
}

static void Report(string what, double ours, string baselineName, double baseline, string unit, bool lowerIsBetter = false)
{
    Console.WriteLine($"   ours:     {ours,12:0.###}{unit}  {what}");
    Console.WriteLine($"   baseline: {baseline,12:0.###}{unit}  {baselineName}");
    Console.WriteLine($"   ratio ours/baseline: {ours / baseline:0.###}{(lowerIsBetter ? " (lower is better)" : " (higher is better)")}");
}

static string RunProcess(string file, string args)
{
    var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {args}: {error.Result}");
    return output.Result + error.Result;
}

int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}

sealed class QuietSink : ICommandSink
{
    public CancellationToken Cancellation => default;
    public void WriteObject(object item) { }
    public void WriteError(PscError error) => Console.Error.WriteLine($"error: {error.Message}");
    public void WriteWarning(string message) { }
    // The import says how long building the lookup indexes took: the cost of index maintenance, printed with the figures.
    public void WriteVerbose(string message) { if (message.Contains("indexes")) Console.WriteLine("   " + message); }
    public void WriteProgress(ProgressInfo progress) { }
    public bool ShouldProcess(string target, string action) => true;
}
