using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.DigiCert;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// The Lab's CertCentral (Services API v2) emulation over the embedded CA: products (one per template; the
    /// approval template's orders wait in needs_approval), orders, order info, pem_all download, revocation
    /// requests that wait for approval unless skip_approval, request approval, and status changes in MDT windows
    /// of at most seven days. Order ids and certificate ids are the CA's request ids.
    /// </summary>
    internal sealed class LabCertCentral
    {
        public const string Prefix = "/services/v2/";
        private static readonly TimeSpan Mountain = TimeSpan.FromHours(-7);
        private readonly LabAuthority _authority;
        private readonly ConcurrentDictionary<long, (string Serial, RevocationReason Reason)> _revocationRequests = new();
        private long _nextRequestId = 1000;

        public LabCertCentral(LabAuthority authority) => _authority = authority;

        public async Task Handle(HttpContext context, Func<HttpContext, bool> authenticated)
        {
            if (!authenticated(context))
            {
                await LabJson.Write(context, 401, Errors("invalid_api_key", "The API key is missing or invalid."));
                return;
            }
            var path = context.Request.Path.Value!.Substring(Prefix.Length).TrimEnd('/');
            var method = context.Request.Method;
            var parts = path.Split('/');
            try
            {
                switch (parts)
                {
                    case ["product"] when HttpMethods.IsGet(method):
                        await LabJson.Write(context, 200, new { products = _authority.Ca.Templates.Select(t => new { name_id = t.Name, name = t.DisplayName, type = "ssl_certificate" }) });
                        return;
                    case ["order", "certificate", "status-changes"] when HttpMethods.IsGet(method):
                        await StatusChanges(context);
                        return;
                    case ["order", "certificate", var product] when HttpMethods.IsPost(method):
                        await Order(context, product);
                        return;
                    case ["order", "certificate", var orderId] when HttpMethods.IsGet(method):
                        await LabJson.Write(context, 200, OrderInfo(Id(orderId)));
                        return;
                    case ["certificate", var id, "download", "format", "pem_all"] when HttpMethods.IsGet(method):
                        var issued = _authority.Ca.GetRequest(Id(id));
                        if (issued.Certificate == null) throw new PscException("NotFound", FailureCategory.ObjectNotFound, "not_found|certificate");
                        context.Response.ContentType = "application/x-pem-file";
                        await context.Response.WriteAsync(string.Concat(new[] { issued.Certificate }.Concat(issued.Chain).Select(c => Pem.Encode("CERTIFICATE", c))));
                        return;
                    case ["certificate", var serial, "revoke"] when HttpMethods.IsPut(method):
                        await Revoke(context, serial);
                        return;
                    case ["request", var requestId, "status"] when HttpMethods.IsPut(method):
                        await DecideRequest(context, Id(requestId));
                        return;
                }
                await LabJson.Write(context, 404, Errors("not_found|route", $"No such route: {method} {path}"));
            }
            catch (PscException ex) when (ex.Category == FailureCategory.ObjectNotFound)
            {
                await LabJson.Write(context, 404, Errors("not_found|order", ex.Message));
            }
            catch (PscException ex)
            {
                await LabJson.Write(context, 400, Errors("bad_request_format", ex.Message));
            }
        }

        private async Task Order(HttpContext context, string product)
        {
            var template = _authority.Ca.Templates.FirstOrDefault(t => t.Name == product);
            if (template == null)
            {
                await LabJson.Write(context, 404, Errors("not_found|product", $"The product '{product}' is not available to this account."));
                return;
            }
            var body = await LabJson.Read(context);
            var csr = body is { } b && b.TryGetProperty("certificate", out var c) ? DigiCertJsonChannel.Str(c, "csr") : null;
            if (csr == null)
            {
                await LabJson.Write(context, 400, Errors("required|certificate.csr", "certificate.csr is required."));
                return;
            }
            var der = Pem.ReadPemOrDer(System.Text.Encoding.UTF8.GetBytes(csr), "CSR", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
            var result = _authority.Ca.Submit(der, template.Name, new Dictionary<string, string>());
            var orderId = long.Parse(result.RequestId!, CultureInfo.InvariantCulture);
            if (result.Status == SubmitStatus.Issued)
            {
                await LabJson.Write(context, 201, new
                {
                    id = orderId,
                    certificate_id = orderId,
                    certificate_chain = new[] { result.Certificate! }.Concat(result.Chain)
                        .Select(cert => new { subject_common_name = CertificateReader.Read(cert).CommonName, pem = Pem.Encode("CERTIFICATE", cert) }),
                });
                return;
            }
            await LabJson.Write(context, 201, new { id = orderId, requests = new[] { new { id = orderId, status = "pending" } } });
        }

        private object OrderInfo(long orderId)
        {
            var result = _authority.Ca.GetRequest(orderId);
            var status = result.Status switch
            {
                SubmitStatus.Issued => "issued",
                SubmitStatus.Revoked => "revoked",
                SubmitStatus.Pending => "needs_approval",
                _ => "rejected",
            };
            var details = result.Certificate == null ? null : CertificateReader.Read(result.Certificate);
            return new
            {
                id = orderId,
                status,
                product = new { name_id = "lab", name = "PSCertConnector Lab" },
                certificate = details == null ? (object)new { common_name = "" } : new
                {
                    id = orderId,
                    serial_number = details.SerialNumber,
                    thumbprint = details.ThumbprintSha1,
                    common_name = details.CommonName,
                    valid_from = details.NotBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    valid_till = details.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                },
            };
        }

        private async Task Revoke(HttpContext context, string serial)
        {
            var body = await LabJson.Read(context);
            var reasonText = (body is { } b ? DigiCertJsonChannel.Str(b, "reason") : null) ?? "unspecified";
            var reason = DigiCertReasons.Parse(reasonText);
            if (reason is not (RevocationReason.Unspecified or RevocationReason.KeyCompromise or RevocationReason.AffiliationChanged
                or RevocationReason.Superseded or RevocationReason.CessationOfOperation))
            {
                await LabJson.Write(context, 400, Errors("invalid_reason", $"The reason '{reasonText}' is not accepted."));
                return;
            }
            _authority.Ca.GetBySerial(serial); // 404 when unknown
            var skip = body is { } s && s.TryGetProperty("skip_approval", out var k) && k.ValueKind == JsonValueKind.True;
            if (skip)
            {
                _authority.Ca.Revoke(serial, reason.Value, null);
                context.Response.StatusCode = 204;
                return;
            }
            var id = Interlocked.Increment(ref _nextRequestId);
            _revocationRequests[id] = (serial, reason.Value);
            await LabJson.Write(context, 201, new { id, date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), type = "revoke", status = "pending", comments = "" });
        }

        private async Task DecideRequest(HttpContext context, long requestId)
        {
            var body = await LabJson.Read(context);
            var status = body is { } b ? DigiCertJsonChannel.Str(b, "status") : null;
            if (!_revocationRequests.TryRemove(requestId, out var request))
                throw new PscException("NotFound", FailureCategory.ObjectNotFound, $"No pending request {requestId}.");
            if (status == "approved") _authority.Ca.Revoke(request.Serial, request.Reason, null);
            context.Response.StatusCode = 204;
        }

        /// <summary>filters[status_last_updated]=from...to in Mountain time (padded or not), at most seven days.</summary>
        private async Task StatusChanges(HttpContext context)
        {
            var filter = context.Request.Query["filters[status_last_updated]"].ToString();
            var range = filter.Split(new[] { "..." }, StringSplitOptions.None);
            if (range.Length != 2 || !TryMountain(range[0], out var from) || !TryMountain(range[1], out var to) || to < from)
            {
                await LabJson.Write(context, 400, Errors("bad_request_format", "filters[status_last_updated] must be <from>...<to> (yyyy-MM-dd+HH:mm:ss, Mountain time)."));
                return;
            }
            if (to - from > TimeSpan.FromDays(7))
            {
                await LabJson.Write(context, 400, Errors("time_frame_too_long", "The time frame may not exceed 7 days."));
                return;
            }
            var orders = new List<object>();
            string? cursor = null;
            for (int guard = 0; guard < 10_000; guard++)
            {
                var page = _authority.Ca.Enumerate(cursor, 1000);
                foreach (var item in page.Items)
                {
                    // When its status last changed: the revocation, or the issuance (the certificate's start plus the CA's skew).
                    var changed = item.RevokedAt ?? CertificateReader.Read(item.Certificate).NotBefore.AddMinutes(10);
                    if (changed >= from && changed < to.AddSeconds(1)) // the end second counts whole
                        orders.Add(new { order_id = long.Parse(item.RequestId, CultureInfo.InvariantCulture), certificate_id = long.Parse(item.RequestId, CultureInfo.InvariantCulture), status = item.RevokedAt.HasValue ? "revoked" : "issued" });
                }
                cursor = page.Cursor;
                if (!page.HasMore) break;
            }
            await LabJson.Write(context, 200, orders.Count == 0 ? new { } : new { orders });
        }

        private static bool TryMountain(string text, out DateTimeOffset value)
        {
            var formats = new[] { "yyyy-M-d+H:m:s", "yyyy-M-d" };
            if (DateTime.TryParseExact(text.Trim().Replace(' ', '+'), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                value = new DateTimeOffset(local, Mountain);
                return true;
            }
            value = default;
            return false;
        }

        private static long Id(string text) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new PscException("NotFound", FailureCategory.ObjectNotFound, $"'{text}' is not an id here.");

        private static object Errors(string code, string message) => new { errors = new[] { new { code, message } } };


    }
}
