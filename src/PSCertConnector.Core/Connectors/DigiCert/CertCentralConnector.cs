using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    /// <summary>
    /// DigiCert CertCentral through the Services API v2: products as templates, orders with a CSR, status mapping,
    /// download with chain, revocation (with its approval step, or skip_approval), and incremental import through
    /// order status changes in windows of at most a week.
    /// </summary>
    public sealed class CertCentralConnector : CaConnectorBase
    {
        public const string TypeName = "digicert-certcentral";
        /// <summary>CertCentral's status-change window limit is 7 days; stay under it.</summary>
        internal static readonly TimeSpan ImportWindow = TimeSpan.FromDays(6);
        /// <summary>The status-changes filter is read in US Mountain time (as its clients send it: UTC−7).</summary>
        private static readonly TimeSpan Mountain = TimeSpan.FromHours(-7);

        private readonly CertCentralSettings _settings;
        private readonly DigiCertJsonChannel _channel;

        internal CertCentralConnector(CertCentralSettings settings, DigiCertJsonChannel channel)
        {
            _settings = settings;
            _channel = channel;
        }

        internal DigiCertJsonChannel Channel => _channel;
        public override string Type => TypeName;

        public override ConnectorCapabilities Capabilities =>
            ConnectorCapabilities.Ping | ConnectorCapabilities.Templates | ConnectorCapabilities.Enroll | ConnectorCapabilities.RetrievePending
            | ConnectorCapabilities.Revoke | ConnectorCapabilities.EnumerateIssued;

        protected override string SuggestionFor(ConnectorCapabilities capability) =>
            "CertCentral's own approval and certificate pages do this (or a connector type that supports it).";

        private Uri Api(string relative) => new Uri(_settings.ApiBase, relative);

        public override string? Route => _channel.RouteTo(_settings.ApiBase);

        public override ConnectorTestResult Test(CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            var products = GetTemplates(cancellation);
            return new ConnectorTestResult(true, $"CertCentral at {_settings.ApiBase.Host} answered; the key sees {products.Count} product(s).", watch.Elapsed);
        }

        public override IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation)
        {
            var reply = _channel.Send(HttpMethod.Get, Api("product"), null, "product list", cancellation);
            return ReadProducts(reply.Body, _settings.ValidityYears);
        }

        /// <summary>The products of a product list answer, as templates.</summary>
        internal static IReadOnlyList<CaTemplate> ReadProducts(JsonElement? body, int validityYears)
        {
            var products = DigiCertJsonChannel.Require(body ?? default, "products", JsonValueKind.Array, "product list");
            return products.EnumerateArray()
                .Where(p => DigiCertJsonChannel.Str(p, "name_id") != null)
                .Select(p => new CaTemplate
                {
                    Name = DigiCertJsonChannel.Str(p, "name_id")!,
                    DisplayName = DigiCertJsonChannel.Str(p, "name") ?? DigiCertJsonChannel.Str(p, "name_id")!,
                    Validity = TimeSpan.FromDays(365 * validityYears),
                    SchemaVersion = 0,
                    MajorRevision = 0,
                })
                .ToList();
        }

        public override SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation)
        {
            var info = CsrParser.Parse(csrDer);
            var commonName = info.CommonName ?? info.SubjectAlternativeNames.FirstOrDefault(n => n.Type == SanType.Dns)?.Value
                ?? throw new PscException("CommonNameRequired", FailureCategory.InvalidArgument, "A CertCentral order needs a common name or a DNS name in the request.");
            var certificate = new Dictionary<string, object>
            {
                ["common_name"] = commonName,
                ["dns_names"] = info.SubjectAlternativeNames.Where(n => n.Type == SanType.Dns).Select(n => n.Value).ToList(),
                ["csr"] = CsrParser.ToPem(info.Der),
                ["signature_hash"] = "sha256",
                ["server_platform"] = new Dictionary<string, object> { ["id"] = -1 },
            };
            var body = new Dictionary<string, object>
            {
                ["certificate"] = certificate,
                ["order_validity"] = new Dictionary<string, object> { ["years"] = _settings.ValidityYears },
            };
            if (_settings.OrganizationId is int org) body["organization"] = new Dictionary<string, object> { ["id"] = org };
            if (_settings.SkipApproval) body["skip_approval"] = true;
            var reply = _channel.Send(HttpMethod.Post, Api("order/certificate/" + Uri.EscapeDataString(template)), body, "order", cancellation);
            var (orderId, issued) = ReadOrderAnswer(reply.Body);
            return issued ?? GetRequest(orderId, null, cancellation);
        }

        /// <summary>An order answer: the order id, and the result when the certificate came with it.</summary>
        internal static (string OrderId, SubmitResult? Issued) ReadOrderAnswer(JsonElement? body)
        {
            var json = body ?? throw new PscException("MalformedResponse", FailureCategory.InvalidData, "CertCentral answered the order with no body.");
            var orderId = DigiCertJsonChannel.RequireInt64(json, "id", "order answer").ToString(CultureInfo.InvariantCulture);
            if (json.TryGetProperty("certificate_chain", out var chain) && chain.ValueKind == JsonValueKind.Array && chain.GetArrayLength() > 0)
            {
                var pems = chain.EnumerateArray().Select(c => DigiCertJsonChannel.Str(c, "pem")).Where(p => p != null)
                    .SelectMany(p => Pem.DecodeAll(p!, "certificate chain from CertCentral").Select(b => b.Der)).ToList();
                if (pems.Count > 0)
                    return (orderId, new SubmitResult { RequestId = orderId, Status = SubmitStatus.Issued, Disposition = RequestDisposition.Issued, DispositionMessage = "issued", Certificate = pems[0], Chain = pems.Skip(1).ToList() });
            }
            return (orderId, null);
        }

        /// <summary>The order's status, mapped; an issued order's certificate and chain downloaded as pem_all.</summary>
        public override SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation)
        {
            var reply = _channel.Send(HttpMethod.Get, Api("order/certificate/" + Uri.EscapeDataString(requestId)), null, "order status", cancellation);
            var (mapped, status, certificateId) = ReadOrderStatus(reply.Body, requestId);
            if (certificateId != null)
            {
                var chain = Download(certificateId, cancellation);
                return new SubmitResult { RequestId = requestId, Status = mapped, Disposition = mapped == SubmitStatus.Revoked ? RequestDisposition.Revoked : RequestDisposition.Issued,
                    DispositionMessage = status, Certificate = chain[0], Chain = chain.Skip(1).ToList() };
            }
            return new SubmitResult
            {
                RequestId = requestId,
                Status = mapped,
                Disposition = mapped switch { SubmitStatus.Pending => RequestDisposition.UnderSubmission, SubmitStatus.Denied => RequestDisposition.Denied, _ => RequestDisposition.Error },
                DispositionMessage = status,
            };
        }

        /// <summary>An order status answer: the status (ours and as said) and, for an issued or revoked order, its certificate id.</summary>
        internal static (SubmitStatus Status, string StatusText, string? CertificateId) ReadOrderStatus(JsonElement? body, string requestId)
        {
            var json = body ?? throw new PscException("MalformedResponse", FailureCategory.InvalidData, "CertCentral answered the order status with no body.");
            var status = DigiCertJsonChannel.Str(json, "status")?.ToLowerInvariant() ?? "";
            var mapped = MapStatus(status);
            if (mapped is not (SubmitStatus.Issued or SubmitStatus.Revoked)) return (mapped, status, null);
            var certificateId = DigiCertJsonChannel.Int64(DigiCertJsonChannel.Obj(json, "certificate"), "id") is long id
                ? id.ToString(CultureInfo.InvariantCulture)
                : throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"CertCentral says order {requestId} is {status} but names no certificate id.");
            return (mapped, status, certificateId);
        }

        /// <summary>CertCentral order status → ours (issued/approved/expired → issued; the waiting ones → pending; refusals → denied).</summary>
        internal static SubmitStatus MapStatus(string status) => status switch
        {
            "issued" or "approved" or "expired" => SubmitStatus.Issued,
            "pending" or "processing" or "reissue_pending" or "waiting_pickup" or "needs_approval" or "submitted" => SubmitStatus.Pending,
            "denied" or "rejected" or "canceled" or "cancelled" => SubmitStatus.Denied,
            "revoked" => SubmitStatus.Revoked,
            _ => throw new PscException("UnknownOrderStatus", FailureCategory.InvalidData, $"CertCentral reported the order status '{status}', which PSCertConnector does not know."),
        };

        private IReadOnlyList<byte[]> Download(string certificateId, CancellationToken cancellation)
        {
            var text = _channel.SendText(HttpMethod.Get, Api("certificate/" + Uri.EscapeDataString(certificateId) + "/download/format/pem_all"), "certificate download", cancellation);
            var blocks = Pem.Certificates(text, "certificate download from CertCentral");
            if (blocks.Count == 0) throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"CertCentral's pem_all download of certificate {certificateId} holds no certificate.");
            return blocks;
        }

        /// <summary>
        /// Asks CertCentral to revoke; with skipApproval it is done at once, with approveRevocations we approve our
        /// own request, otherwise an administrator must approve it and the certificate is not revoked yet (an error says so).
        /// </summary>
        public override void Revoke(string serialNumber, RevocationReason reason, DateTimeOffset? effectiveDate, CancellationToken cancellation)
        {
            var serial = Hex.NormalizeSerial(serialNumber);
            var camel = reason switch
            {
                RevocationReason.Unspecified => "unspecified",
                RevocationReason.KeyCompromise => "keyCompromise",
                RevocationReason.AffiliationChanged => "affiliationChanged",
                RevocationReason.Superseded => "superseded",
                RevocationReason.CessationOfOperation => "cessationOfOperation",
                _ => throw new PscException("ReasonNotSupported", FailureCategory.InvalidArgument,
                    $"CertCentral does not take the reason {reason}: use unspecified, key-compromise, affiliation-changed, superseded or cessation-of-operation.") { Target = reason.ToString() },
            };
            var body = new Dictionary<string, object> { ["reason"] = camel, ["comments"] = "Revoked through PSCertConnector" };
            if (_settings.SkipApproval) body["skip_approval"] = true;
            JsonReply reply;
            try { reply = _channel.Send(HttpMethod.Put, Api("certificate/" + serial + "/revoke"), body, "revocation", cancellation); }
            catch (PscException ex) when (ex.ErrorId == "NotFoundOnCa")
            {
                throw new PscException("CertificateNotFoundOnCa", FailureCategory.ObjectNotFound, $"CertCentral has no certificate with serial {serial}. {ex.Message}", ex) { Target = serial };
            }
            if (reply.Body is not { ValueKind: JsonValueKind.Object } request) return; // 204: revoked at once
            var requestId = DigiCertJsonChannel.RequireInt64(request, "id", "revocation request");
            if (!_settings.ApproveRevocations)
                throw new PscException("RevocationAwaitsApproval", FailureCategory.InvalidOperation,
                    $"CertCentral created revocation request {requestId} for serial {serial}; it is revoked once an administrator approves it " +
                    "(or set skipApproval / approveRevocations with an administrator's API key). The inventory keeps the certificate as valid until then.") { Target = serial };
            _channel.Send(HttpMethod.Put, Api("request/" + requestId.ToString(CultureInfo.InvariantCulture) + "/status"),
                new Dictionary<string, object> { ["status"] = "approved", ["processor_comment"] = "Approved through PSCertConnector" }, "revocation approval", cancellation);
        }

        /// <summary>
        /// Incremental import through order status changes: one window (at most six days) per page, from the
        /// watermark (or importSinceDays back) to now. Issued and revoked orders are downloaded with their chain.
        /// </summary>
        public override IssuedPage EnumerateIssued(string? cursor, int batchSize, CancellationToken cancellation)
        {
            var now = DateTimeOffset.UtcNow;
            DateTimeOffset from;
            if (cursor == null) from = now.AddDays(-_settings.ImportSinceDays);
            else if (!DateTimeOffset.TryParseExact(cursor, "o", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out from))
                throw new PscException("InvalidImportWatermark", FailureCategory.InvalidData, $"The stored import watermark '{cursor}' is not a CertCentral time. Run a full import.");
            // The filter has whole seconds; windows meet at the same second (both ends count), so nothing falls between them.
            var lastWindow = from + ImportWindow >= now;
            var to = lastWindow ? now : from + ImportWindow;
            to = new DateTimeOffset(to.UtcTicks - to.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            string Mdt(DateTimeOffset t) => t.ToOffset(Mountain).ToString("yyyy-MM-dd'+'HH:mm:ss", CultureInfo.InvariantCulture);
            var reply = _channel.Send(HttpMethod.Get, Api($"order/certificate/status-changes?filters[status_last_updated]={Mdt(from)}...{Mdt(to)}"), null, "order status changes", cancellation);
            var items = new List<IssuedCertificate>();
            foreach (var order in ReadStatusChanges(reply.Body))
            {
                cancellation.ThrowIfCancellationRequested();
                var chain = Download(order.CertificateId, cancellation);
                items.Add(new IssuedCertificate
                {
                    RequestId = order.OrderId,
                    Certificate = chain[0],
                    RevokedAt = order.Revoked ? to : null,
                    RevocationReason = order.Revoked ? RevocationReason.Unspecified : null,
                });
            }
            return new IssuedPage(items, to.ToString("o", CultureInfo.InvariantCulture), !lastWindow);
        }

        /// <summary>The issued and revoked orders of a status-changes answer, with the certificate id to download.</summary>
        internal static IReadOnlyList<(string OrderId, string CertificateId, bool Revoked)> ReadStatusChanges(JsonElement? body)
        {
            var result = new List<(string, string, bool)>();
            if (body is not { ValueKind: JsonValueKind.Object } json || !json.TryGetProperty("orders", out var orders)) return result;
            if (orders.ValueKind != JsonValueKind.Array)
                throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"CertCentral's status changes carry 'orders' as {orders.ValueKind.ToString().ToLowerInvariant()}, not an array.");
            foreach (var order in orders.EnumerateArray())
            {
                var status = DigiCertJsonChannel.Str(order, "status")?.ToLowerInvariant() ?? "";
                if (status is not ("issued" or "revoked") || DigiCertJsonChannel.Int64(order, "certificate_id") is not long certificateId) continue;
                var orderId = DigiCertJsonChannel.Int64(order, "order_id")?.ToString(CultureInfo.InvariantCulture) ?? "";
                result.Add((orderId, certificateId.ToString(CultureInfo.InvariantCulture), status == "revoked"));
            }
            return result;
        }

        public override void Dispose() => _channel.Dispose();
    }
}
