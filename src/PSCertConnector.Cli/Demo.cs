using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Connectors.Embedded;

namespace PSCertConnector.Cli
{
    /// <summary>
    /// The main job: the whole lifecycle on an embedded CA in a fresh home folder, each step printed as an
    /// administrator would want to read it. It only calls the operations the other commands call.
    /// </summary>
    internal sealed class Demo
    {
        /// <summary>The RA request of the DigiCert PKI Platform / Intune guide, as an administrator saves it.</summary>
        public const string RaCertreqIni = @"[Version]
Signature=""$Windows NT$""

[NewRequest]
; RA certificate for the Intune Certificate Connector
Subject = ""CN=ra01.contoso.com,O=Contoso,C=US""
KeySpec = 1
KeyLength = 2048
Exportable = TRUE
MachineKeySet = TRUE
SMIME = False
PrivateKeyArchive = FALSE
UserProtected = FALSE
UseExistingKeySet = FALSE
ProviderName = ""Microsoft RSA SChannel Cryptographic Provider""
ProviderType = 12
RequestType = PKCS10
KeyUsage = 0xa0

[EnhancedKeyUsageExtension]
OID=1.3.6.1.5.5.7.3.2 // Client Authentication
";

        private readonly TextWriter _out;
        private readonly TextWriter _err;
        private readonly CancellationToken _cancel;
        private int _step;

        public Demo(TextWriter stdout, TextWriter stderr, CancellationToken cancel)
        {
            _out = stdout;
            _err = stderr;
            _cancel = cancel;
        }

        public int Run(CommandLine cl)
        {
            var home = cl.Get("home") is string given ? Path.GetFullPath(given)
                : Path.Combine(Path.GetTempPath(), "pscertconnector-demo-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss") + "-" + Guid.NewGuid().ToString("N").Substring(0, 6));
            if (File.Exists(Path.Combine(home, InventoryStore.FileName)))
                throw CommandLine.Usage($"The demo needs a fresh home folder, and '{home}' already has an inventory. Give another --home or none.");
            var files = Path.Combine(home, "demo-files");
            Directory.CreateDirectory(files);
            var total = Stopwatch.StartNew();
            _out.WriteLine("PSCertConnector demo: the whole certificate lifecycle on the embedded CA");
            _out.WriteLine($"State for this run: {home}");

            using var ws = Workspace.Open(home);
            const string connectorName = "demo-ca";
            _out.WriteLine($"Inventory: {ws.Store.Engine}, {ws.Store.Location}");
            if (ws.Store.GetConnector(connectorName) != null)
                throw CommandLine.Usage($"The demo needs an inventory without a connector named '{connectorName}', and {ws.Store.Location} has one from an earlier run. Give it an empty database.");

            Step("Create an embedded-CA connector (first use creates its root and issuing CA)");
            var watch = Stopwatch.StartNew();
            var connector = One<ConnectorDefinition>(s => new ConnectorOperations(ws, s).Add(new ConnectorDefinition
            {
                Name = connectorName,
                Type = LocalConnector.TypeName,
                BusinessUnit = "IT",
                Tags = new[] { "demo" },
                Priority = 1,
            }, null));
            var local = (LocalConnector)ws.Connect(connector);
            Say($"connector '{connector.Name}' ({connector.Type}), priority {connector.Priority}, import every {connector.ImportEvery} {connector.ImportEveryUnit.ToString().ToLowerInvariant()} ({watch.ElapsedMilliseconds} ms)");
            Say($"root CA:    {CertificateReader.Read(local.Authority.RootCertificate).Subject}");
            Say($"issuing CA: {CertificateReader.Read(local.Authority.IssuingCertificate).Subject}");
            Say($"CRL and CA certificates are published in {local.Authority.PublicationFolder}");

            Step("Templates the CA offers");
            var templates = Many<TemplateRecord>(s => new TemplateOperations(ws, s).Get(connectorName, refresh: true));
            Indent(Views.ToTable(templates.Cast<object>().ToList()));

            Step("Build the RA request from a certreq.ini like the DigiCert/Intune guide's");
            var infPath = Path.Combine(files, "ra-certreq.ini");
            File.WriteAllText(infPath, RaCertreqIni);
            Say($"INF: {infPath}");
            var raRequest = One<CertificateRequestResult>(s => new RequestOperations(ws, s).BuildFromInf(RaCertreqIni), new List<string>());
            foreach (var note in raRequest.Notes) Say("note: " + note);
            var raCsr = CsrParser.Parse(raRequest.Csr);
            var raCsrPath = Path.Combine(files, "ra.csr");
            File.WriteAllText(raCsrPath, raRequest.CsrPem);
            Say($"{raCsr.Subject}: {raCsr.KeyAlgorithm} {raCsr.KeySize}, key usage 0x{raCsr.KeyUsage:x2}, EKU {string.Join(", ", raCsr.EnhancedKeyUsages.Select(Ekus.Name))}; CSR in {raCsrPath}");

            Step("Submit it with template RA: issued at once, then fetched into the inventory");
            var raOrder = One<OrderRecord>(s => new OrderOperations(ws, s).Submit(connectorName, "RA", raRequest.Csr));
            Say($"order {raOrder.Id}: request {raOrder.RequestId} is {raOrder.Status} ({raOrder.DispositionMessage})");
            var raCert = One<CertificateRecord>(s => new OrderOperations(ws, s).Fetch(new[] { raOrder }));
            Say($"fetched {raCert.CommonName}, serial {raCert.SerialNumber}, thumbprint {raCert.Thumbprint}, expires {Views.Date(raCert.NotAfter)}");

            Step("Request a web server certificate with a template that needs CA-manager approval");
            var webRequest = One<CertificateRequestResult>(s => new RequestOperations(ws, s).Build(new RequestSpec
            {
                Subject = "CN=www.contoso.com,O=Contoso,C=US",
                KeyAlgorithm = KeyAlgorithm.EcdsaP256,
                KeyLength = 256,
                SubjectAlternativeNames = new[] { new SubjectAlternativeName(SanType.Dns, "www.contoso.com"), new SubjectAlternativeName(SanType.Dns, "contoso.com") },
                Exportable = true,
            }));
            var webOrder = One<OrderRecord>(s => new OrderOperations(ws, s).Submit(connectorName, "WebServerApproval", webRequest.Csr));
            Say($"order {webOrder.Id}: request {webOrder.RequestId} is {webOrder.Status} ({webOrder.DispositionMessage})");

            Step($"A CA manager approves request {webOrder.RequestId}; refresh the order and fetch the certificate");
            One<OrderRecord>(s => new OrderOperations(ws, s).Approve(new[] { webOrder }));
            var refreshed = One<OrderRecord>(s => new OrderOperations(ws, s).Refresh(new[] { webOrder }));
            Say($"order {refreshed.Id} is now {refreshed.Status}");
            var webCert = One<CertificateRecord>(s => new OrderOperations(ws, s).Fetch(new[] { refreshed }));
            Say($"fetched {webCert.CommonName} (SANs {string.Join(", ", webCert.SubjectAlternativeNames)}), serial {webCert.SerialNumber}");
            var chainPath = Path.Combine(files, "www.contoso.com-chain.pem");
            var exported = One<ExportedCertificate>(s => new InventoryOperations(ws, s).Export(new CertificateSelector(webCert.SerialNumber, null, null), ExportFormat.Pem, true, null));
            File.WriteAllBytes(chainPath, exported.Content);
            Say($"certificate with chain exported to {chainPath}");

            Step("Import the CA's certificates into the inventory with business unit Finance and tags web, prod");
            var run = One<ImportRunRecord>(s => new ImportOperation(ws, s).Import(new[] { connectorName },
                new ImportOptions { BusinessUnit = "Finance", Tags = new[] { "web", "prod" } }));
            Say($"import {run.Status}: {run.Imported} new, {run.Updated} updated (fetched ones gain the business unit and tags); watermark now {run.EndWatermark}");

            Step($"Renew the RA certificate ({raCert.SerialNumber}): same subject, key usage, EKU and template, a new key");
            var renewal = One<RenewalResult>(s => new RenewalOperations(ws, s).Renew(new[] { new CertificateSelector(null, raCert.Thumbprint, connectorName) }, new RenewOptions()));
            var successor = One<CertificateRecord>(s => new InventoryOperations(ws, s).Query(new CertificateQuery { Thumbprint = renewal.Thumbprint }));
            var predecessor = One<CertificateRecord>(s => new InventoryOperations(ws, s).Query(new CertificateQuery { Thumbprint = raCert.Thumbprint }));
            Say($"order {renewal.OrderId}: {renewal.Status}; the successor has serial {successor.SerialNumber}, expires {Views.Date(successor.NotAfter)}");
            Say($"{successor.SerialNumber} renews {successor.Renews}; {predecessor.SerialNumber} is renewed by {predecessor.RenewedBy}, so it is no longer due");

            Step($"Revoke the web server certificate ({webCert.SerialNumber}) for key compromise");
            var revoked = One<CertificateRecord>(s => new InventoryOperations(ws, s).Revoke(
                new[] { new CertificateSelector(webCert.SerialNumber, null, null) }, RevocationReason.KeyCompromise, null));
            Say($"{revoked.CommonName} is {revoked.Status} since {Views.Date(revoked.RevokedAt)} ({revoked.RevocationReason})");

            Step("Publish the CRL and find the revoked serial in it");
            var crl = One<CrlReport>(s => new CrlOperations(ws, s).Show(connectorName, publishFirst: true));
            var crlPath = Path.Combine(files, "demo-ca.crl");
            File.WriteAllBytes(crlPath, crl.Der);
            var listed = crl.Entries.FirstOrDefault(e => e.SerialNumber == webCert.SerialNumber);
            Commands.CrlShowCommand.Write(new IndentedWriter(_out), crl, crlPath);
            Say(listed != null
                ? $"serial {listed.SerialNumber} is on the CRL with reason {listed.Reason}"
                : $"serial {webCert.SerialNumber} is NOT on the CRL");

            Step("The inventory");
            Indent(Views.ToTable(Many<CertificateRecord>(s => new InventoryOperations(ws, s).Query(new CertificateQuery())).Cast<object>().ToList()));

            _out.WriteLine();
            _out.WriteLine($"Done in {total.Elapsed.TotalSeconds:0.0} s. Look around with: certconnector --home \"{home}\" cert list");
            return listed != null ? 0 : 1;
        }

        private void Step(string title)
        {
            _out.WriteLine();
            _out.WriteLine($"{++_step}. {title}");
        }

        private void Say(string line) => _out.WriteLine("   " + line);

        private void Indent(string block)
        {
            foreach (var line in block.Split('\n'))
                if (line.Length > 0) _out.WriteLine("   " + line.TrimEnd('\r'));
        }

        private T One<T>(Action<ICommandSink> work, List<string>? warnings = null) =>
            Many<T>(work, warnings).FirstOrDefault() ?? throw new PscException("DemoStepFailed", FailureCategory.InvalidOperation,
                $"Demo step {_step} produced no {typeof(T).Name}; see the errors above.");

        private List<T> Many<T>(Action<ICommandSink> work, List<string>? warnings = null)
        {
            var sink = new DemoSink(_err, _cancel, warnings);
            work(sink);
            if (sink.Errors.Count > 0)
                throw new PscException(sink.Errors[0].ErrorId, sink.Errors[0].Category, $"Demo step {_step} failed: {sink.Errors[0].Message}");
            return sink.Objects.OfType<T>().ToList();
        }

        private sealed class DemoSink : ICommandSink
        {
            private readonly TextWriter _err;
            private readonly List<string>? _warnings;

            public DemoSink(TextWriter err, CancellationToken cancellation, List<string>? warnings)
            {
                _err = err;
                Cancellation = cancellation;
                _warnings = warnings;
            }

            public List<object> Objects { get; } = new();
            public List<PscError> Errors { get; } = new();
            public CancellationToken Cancellation { get; }
            public void WriteObject(object item) => Objects.Add(item);
            public void WriteError(PscError error) { Errors.Add(error); _err.WriteLine($"error: {error.Message} [{error.ErrorId}]"); }
            public void WriteWarning(string message) { if (_warnings != null) _warnings.Add(message); else _err.WriteLine("warning: " + message); }
            public void WriteVerbose(string message) { }
            public void WriteProgress(ProgressInfo progress) { }
            public bool ShouldProcess(string target, string action) => true;
        }

        private sealed class IndentedWriter : TextWriter
        {
            private readonly TextWriter _inner;
            public IndentedWriter(TextWriter inner) => _inner = inner;
            public override Encoding Encoding => _inner.Encoding;
            public override void WriteLine(string? value) => _inner.WriteLine("   " + value);
        }
    }
}
