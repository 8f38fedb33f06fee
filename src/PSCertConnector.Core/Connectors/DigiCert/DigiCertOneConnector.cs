using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    /// <summary>
    /// DigiCert ONE / Trust Lifecycle Manager through its mpki REST API (v1): profiles as templates, enrollment
    /// (immediate, or pending and picked up by request id), revocation and resume from hold, and import by
    /// paging certificate-search. The API key goes in x-api-key; with a client certificate it is left out.
    /// </summary>
    public sealed class DigiCertOneConnector : CaConnectorBase
    {
        public const string TypeName = "digicert-one";
        /// <summary>What an order's ReferenceUri holds for a pending request: the profile to pick it up from.</summary>
        internal const string PickupPrefix = "digicert-one-pickup:";
        private const int MaxSearchPages = 100_000;

        private readonly DigiCertOneSettings _settings;
        private readonly DigiCertJsonChannel _channel;

        internal DigiCertOneConnector(DigiCertOneSettings settings, DigiCertJsonChannel channel)
        {
            _settings = settings;
            _channel = channel;
        }

        internal DigiCertJsonChannel Channel => _channel;
        public override string Type => TypeName;

        public override ConnectorCapabilities Capabilities =>
            ConnectorCapabilities.Ping | ConnectorCapabilities.Templates | ConnectorCapabilities.Enroll | ConnectorCapabilities.RetrievePending
            | ConnectorCapabilities.Revoke | ConnectorCapabilities.ReleaseHold | ConnectorCapabilities.EnumerateIssued;

        protected override string SuggestionFor(ConnectorCapabilities capability) => capability switch
        {
            ConnectorCapabilities.Approve or ConnectorCapabilities.Deny => "Approve or reject the request in DigiCert ONE (Trust Lifecycle Manager → Requests), then refresh the order.",
            _ => "Use the DigiCert ONE console for this.",
        };

        private Uri Api(string relative) => new Uri(_settings.ApiBase, relative);

        public override string? Route => _channel.RouteTo(_settings.ApiBase);

        public override ConnectorTestResult Test(CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            _channel.Ping(Api("hello"), cancellation);
            // /hello proves the address and TLS; the profile list proves the key.
            var profiles = Profiles(cancellation);
            return new ConnectorTestResult(true, $"DigiCert ONE at {_settings.ApiBase.Host} answered; the credentials see {profiles.Count} active profile(s).", watch.Elapsed);
        }

        public override IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation) => Profiles(cancellation);

        private IReadOnlyList<CaTemplate> Profiles(CancellationToken cancellation)
        {
            var reply = _channel.Send(HttpMethod.Get, Api("profile"), null, "profile list", cancellation);
            return ReadProfiles(reply.Body, _settings.ApiBase.Host);
        }

        /// <summary>The active profiles of a profile list answer, as templates.</summary>
        internal static IReadOnlyList<CaTemplate> ReadProfiles(JsonElement? body, string host)
        {
            if (body is not { ValueKind: JsonValueKind.Array } list)
                throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"{host} answered the profile list with {body?.ValueKind.ToString().ToLowerInvariant() ?? "nothing"} where an array was expected.");
            var templates = new List<CaTemplate>();
            foreach (var profile in list.EnumerateArray())
            {
                var id = DigiCertJsonChannel.Str(profile, "id");
                if (id == null || !string.Equals(DigiCertJsonChannel.Str(profile, "status"), "Active", StringComparison.OrdinalIgnoreCase)) continue;
                var validity = TimeSpan.Zero;
                var v = DigiCertJsonChannel.Obj(DigiCertJsonChannel.Obj(profile, "certificate"), "validity");
                if (DigiCertJsonChannel.Int64(v, "duration") is long duration)
                {
                    var unit = (DigiCertJsonChannel.Str(v, "unit") ?? "days").ToLowerInvariant();
                    var hours = unit switch { "years" => 365.0 * 24, "months" => 30.0 * 24, "hours" => 1.0, _ => 24.0 } * duration;
                    // A validity no CA issues (negative, or past what a TimeSpan holds) is the peer's error, named as such.
                    if (hours < 0 || hours > TimeSpan.FromDays(100 * 365).TotalHours)
                        throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                            $"{host} gave profile '{id}' a validity of {duration} {unit}, which is not a certificate lifetime.");
                    validity = TimeSpan.FromHours(hours);
                }
                templates.Add(new CaTemplate
                {
                    Name = id,
                    DisplayName = DigiCertJsonChannel.Str(profile, "name") ?? id,
                    Validity = validity,
                    RequiresApproval = string.Equals(DigiCertJsonChannel.Str(profile, "authentication_method"), "manual_approval", StringComparison.OrdinalIgnoreCase),
                    CanEnroll = true,
                    SchemaVersion = 0,
                    MajorRevision = 0,
                });
            }
            return templates;
        }

        public override SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation)
        {
            var info = CsrParser.Parse(csrDer);
            var seat = info.CommonName ?? info.SubjectAlternativeNames.FirstOrDefault()?.Value
                ?? throw new PscException("SeatRequired", FailureCategory.InvalidArgument, "The request has neither a common name nor a SAN to use as the DigiCert ONE seat id.");
            var san = new Dictionary<string, object>();
            void Add(string key, SanType type)
            {
                var values = info.SubjectAlternativeNames.Where(n => n.Type == type).Select(n => n.Value).ToList();
                if (values.Count > 0) san[key] = values;
            }
            Add("dns_names", SanType.Dns);
            Add("emails", SanType.Email);
            Add("user_principal_names", SanType.Upn);
            Add("ip_addresses", SanType.IpAddress);
            Add("uris", SanType.Uri);
            var subject = new Dictionary<string, object>();
            if (info.CommonName != null) subject["common_name"] = info.CommonName;
            var body = new Dictionary<string, object>
            {
                ["profile"] = new Dictionary<string, object> { ["id"] = template },
                ["seat"] = new Dictionary<string, object> { ["seat_id"] = seat },
                ["csr"] = CsrParser.ToPem(info.Der),
                ["delivery_format"] = "x509",
                ["include_ca_chain"] = true,
                ["attributes"] = new Dictionary<string, object> { ["subject"] = subject, ["extensions"] = new Dictionary<string, object> { ["san"] = san } },
            };
            if (_settings.ValidityDays is int days) body["validity"] = new Dictionary<string, object> { ["unit"] = "days", ["duration"] = days };
            if (_settings.Tags.Count > 0) body["tags"] = _settings.Tags;
            var reply = _channel.Send(HttpMethod.Post, Api("certificate"), body, "certificate request", cancellation);
            return ToResult(reply.Body, template, null);
        }

        public override SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation)
        {
            if (referenceUri != null && referenceUri.StartsWith(PickupPrefix, StringComparison.Ordinal))
            {
                var profile = referenceUri.Substring(PickupPrefix.Length);
                var reply = _channel.Send(HttpMethod.Post, Api("certificate-pickup/" + Uri.EscapeDataString(requestId)),
                    new Dictionary<string, object> { ["profile"] = new Dictionary<string, object> { ["id"] = profile } }, "certificate pickup", cancellation);
                return ToResult(reply.Body, profile, requestId);
            }
            // An order that was issued at once is known by its serial number.
            var details = _channel.Send(HttpMethod.Get, Api("certificate/" + Uri.EscapeDataString(Hex.NormalizeSerial(requestId))), null, "certificate", cancellation);
            return FromDetails(details.Body, requestId);
        }

        public override void Revoke(string serialNumber, RevocationReason reason, DateTimeOffset? effectiveDate, CancellationToken cancellation)
        {
            if (reason == RevocationReason.RemoveFromCrl)
            {
                ReleaseHold(serialNumber, cancellation);
                return;
            }
            var serial = Hex.NormalizeSerial(serialNumber);
            try
            {
                _channel.Send(HttpMethod.Put, Api("certificate/" + serial + "/revoke"),
                    new Dictionary<string, object> { ["revocation_reason"] = DigiCertReasons.SnakeCase(reason) }, "revocation", cancellation);
            }
            catch (PscException ex) when (ex.ErrorId == "NotFoundOnCa")
            {
                throw new PscException("CertificateNotFoundOnCa", FailureCategory.ObjectNotFound, $"DigiCert ONE has no certificate with serial {serial}. {ex.Message}", ex) { Target = serial };
            }
        }

        public override void ReleaseHold(string serialNumber, CancellationToken cancellation)
        {
            var serial = Hex.NormalizeSerial(serialNumber);
            _channel.Send(HttpMethod.Delete, Api("certificate/" + serial + "/revoke"), null, "resume from hold", cancellation);
        }

        /// <summary>
        /// Pages certificate-search by offset. The search has no change feed, so each import reads the whole
        /// result again (an upsert, so unchanged rows cost no writes); the cursor carries the offset within a run.
        /// </summary>
        public override IssuedPage EnumerateIssued(string? cursor, int batchSize, CancellationToken cancellation)
        {
            int offset = 0;
            if (cursor != null && cursor.StartsWith("offset:", StringComparison.Ordinal)
                && !int.TryParse(cursor.Substring(7), NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                throw new PscException("InvalidImportWatermark", FailureCategory.InvalidData, $"The stored import watermark '{cursor}' is not a DigiCert ONE cursor. Run a full import.");
            var limit = Math.Min(batchSize, 1000);
            var reply = _channel.Send(HttpMethod.Get, Api($"certificate-search?offset={offset}&limit={limit}"), null, "certificate search", cancellation);
            return ReadSearchPage(reply.Body, offset, limit);
        }

        /// <summary>One certificate-search page: its certificates and the cursor of the next page.</summary>
        internal static IssuedPage ReadSearchPage(JsonElement? body, int offset, int limit)
        {
            var page = body ?? throw new PscException("MalformedResponse", FailureCategory.InvalidData, "The certificate search answered with no body.");
            var total = DigiCertJsonChannel.RequireInt64(page, "total", "certificate search page");
            var items = DigiCertJsonChannel.Require(page, "items", JsonValueKind.Array, "certificate search page");
            var result = new List<IssuedCertificate>();
            foreach (var item in items.EnumerateArray())
            {
                var der = CertificateBytes(DigiCertJsonChannel.Str(item, "certificate"));
                if (der == null) continue;
                var status = DigiCertJsonChannel.Str(item, "status")?.ToLowerInvariant();
                RevocationReason? reason = null;
                DateTimeOffset? revokedAt = null;
                if (status is "revoked" or "suspended")
                {
                    var revocation = DigiCertJsonChannel.Obj(item, "revocation");
                    reason = DigiCertReasons.Parse(DigiCertJsonChannel.Str(revocation, "reason")) ?? (status == "suspended" ? RevocationReason.CertificateHold : RevocationReason.Unspecified);
                    revokedAt = DateTimeOffset.TryParse(DigiCertJsonChannel.Str(revocation, "revocation_date"), CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when) ? when : DateTimeOffset.UtcNow;
                }
                result.Add(new IssuedCertificate
                {
                    RequestId = DigiCertJsonChannel.Str(item, "serial_number") ?? "",
                    Certificate = der,
                    Template = DigiCertJsonChannel.Str(DigiCertJsonChannel.Obj(item, "profile"), "name"),
                    RevokedAt = revokedAt,
                    RevocationReason = reason,
                });
            }
            int next = offset + items.GetArrayLength();
            bool more = next < total && items.GetArrayLength() > 0;
            // An empty page before the end means the service's paging broke: stop rather than loop.
            if (next < total && items.GetArrayLength() == 0)
                throw new PscException("ImportPagingBroken", FailureCategory.InvalidData,
                    $"DigiCert ONE reported {total} certificates but returned none at offset {offset}; the import stopped. Stored pages are kept.");
            if (offset / Math.Max(limit, 1) > MaxSearchPages)
                throw new PscException("ImportPageLimit", FailureCategory.InvalidData, "DigiCert ONE was still paging after 100,000 pages; the import stopped.");
            return new IssuedPage(result, more ? "offset:" + next.ToString(CultureInfo.InvariantCulture) : "complete:" + DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture), more);
        }

        internal static SubmitResult ToResult(JsonElement? body, string profileId, string? requestId)
        {
            if (body is not { ValueKind: JsonValueKind.Object } json)
                throw new PscException("MalformedResponse", FailureCategory.InvalidData, "DigiCert ONE answered the request with no JSON object.");
            var serial = DigiCertJsonChannel.Str(json, "serial_number");
            var status = DigiCertJsonChannel.Str(json, "status");
            var certificate = CertificateBytes(DigiCertJsonChannel.Str(json, "certificate"));
            if (string.IsNullOrEmpty(serial) || certificate == null || string.Equals(status, "PENDING", StringComparison.OrdinalIgnoreCase))
            {
                var id = DigiCertJsonChannel.Str(json, "request_id") ?? requestId
                    ?? throw new PscException("MalformedResponse", FailureCategory.InvalidData, "DigiCert ONE answered with neither a certificate nor a request id.");
                return new SubmitResult
                {
                    RequestId = id,
                    Status = SubmitStatus.Pending,
                    Disposition = RequestDisposition.UnderSubmission,
                    DispositionMessage = "Pending approval in DigiCert ONE",
                    ReferenceUri = PickupPrefix + profileId,
                };
            }
            var blocks = CertificateChain(DigiCertJsonChannel.Str(json, "certificate")!);
            return new SubmitResult
            {
                RequestId = requestId ?? serial,
                Status = SubmitStatus.Issued,
                Disposition = RequestDisposition.Issued,
                DispositionMessage = "Issued",
                Certificate = blocks[0],
                Chain = blocks.Skip(1).ToList(),
            };
        }

        internal static SubmitResult FromDetails(JsonElement? body, string requestId)
        {
            var details = body ?? throw new PscException("MalformedResponse", FailureCategory.InvalidData, "DigiCert ONE answered the certificate details with no body.");
            var der = CertificateBytes(DigiCertJsonChannel.Str(details, "certificate"))
                ?? throw new PscException("MalformedResponse", FailureCategory.InvalidData, "DigiCert ONE's certificate details carry no certificate.");
            var status = DigiCertJsonChannel.Str(details, "status")?.ToLowerInvariant();
            return new SubmitResult
            {
                RequestId = requestId,
                Status = status is "revoked" ? SubmitStatus.Revoked : SubmitStatus.Issued,
                Disposition = status is "revoked" ? RequestDisposition.Revoked : RequestDisposition.Issued,
                DispositionMessage = status,
                Certificate = der,
            };
        }

        /// <summary>The certificates in a "certificate" field: PEM (one or more blocks) or bare base64 DER.</summary>
        private static IReadOnlyList<byte[]> CertificateChain(string text)
        {
            var blocks = Pem.Certificates(text, "certificate from DigiCert ONE");
            if (blocks.Count > 0) return blocks;
            return new[] { SafeXml.Base64(text, "certificate from DigiCert ONE") };
        }

        private static byte[]? CertificateBytes(string? text) => string.IsNullOrWhiteSpace(text) ? null : CertificateChain(text!)[0];

        public override void Dispose() => _channel.Dispose();
    }
}
