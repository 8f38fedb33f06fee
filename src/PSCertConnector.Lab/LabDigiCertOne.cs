using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.DigiCert;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Lab
{
    /// <summary>
    /// The Lab's DigiCert ONE (mpki REST v1) emulation over the embedded CA: /hello, profiles (one per template;
    /// the approval template becomes a manual_approval profile), enrollment, pickup, revoke and resume,
    /// certificate details and certificate-search, with both of DigiCert's error shapes.
    /// </summary>
    internal static class LabDigiCertOne
    {
        public const string Prefix = "/mpki/api/v1/";

        /// <param name="authenticated">True when the caller's x-api-key or client certificate is accepted.</param>
        public static async Task Handle(HttpContext context, LabAuthority authority, Func<HttpContext, bool> authenticated)
        {
            var path = context.Request.Path.Value!.Substring(Prefix.Length).TrimEnd('/');
            var method = context.Request.Method;
            if (path == "hello" && HttpMethods.IsGet(method))
            {
                await LabJson.Text(context, 200, "text/plain; charset=utf-8", "Hello from DigiCert ONE - Trust Lifecycle Manager REST API! (PSCertConnector Lab)");
                return;
            }
            if (!authenticated(context))
            {
                await LabJson.Write(context, 401, new { error = new { code = "invalid_api_key", message = "The API key is missing, invalid or expired." } });
                return;
            }

            var parts = path.Split('/');
            try
            {
                switch (parts)
                {
                    case ["profile"] when HttpMethods.IsGet(method):
                        await LabJson.Write(context, 200, authority.Ca.Templates.Select(Profile).ToList());
                        return;
                    case ["certificate"] when HttpMethods.IsPost(method):
                        await Enroll(context, authority);
                        return;
                    case ["certificate-pickup", var requestId] when HttpMethods.IsPost(method):
                        await Pickup(context, authority, requestId);
                        return;
                    case ["certificate", var serial, "revoke"] when HttpMethods.IsPut(method):
                        await Revoke(context, authority, serial);
                        return;
                    case ["certificate", var serial, "revoke"] when HttpMethods.IsDelete(method):
                        authority.Ca.ReleaseHold(serial);
                        context.Response.StatusCode = 204;
                        return;
                    case ["certificate", var serial] when HttpMethods.IsGet(method):
                        var found = AllCertificates(authority).FirstOrDefault(c => c.Serial == Hex.NormalizeSerial(serial));
                        if (found.Item == null) throw NotFound(serial);
                        await LabJson.Write(context, 200, Details(found.Item, found.Serial));
                        return;
                    case ["certificate-search"] when HttpMethods.IsGet(method):
                        await Search(context, authority);
                        return;
                }
                await LabJson.Write(context, 404, new { error = new { code = "resource_not_found", message = $"No such resource: {method} {path}" } });
            }
            catch (PscException ex) when (ex.Category == FailureCategory.ObjectNotFound)
            {
                await LabJson.Write(context, 404, new { error = new { code = "resource_not_found", message = ex.Message } });
            }
            catch (PscException ex)
            {
                await LabJson.Write(context, 400, new { errors = new[] { new { code = "invalid_request", message = ex.Message } } });
            }
        }

        public static string ProfileId(CaTemplate template)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes("lab-profile:" + template.Name));
            return new Guid(hash.AsSpan(0, 16)).ToString();
        }

        private static object Profile(CaTemplate template) => new
        {
            id = ProfileId(template),
            name = template.DisplayName,
            status = "Active",
            signature_algorithm = "SHA256_WITH_RSA",
            enrollment_method = "rest_api",
            authentication_method = template.RequiresApproval ? "manual_approval" : "third_party_app",
            certificate_delivery_format = "X509",
            certificate = new { validity = new { unit = "days", duration = (int)template.Validity.TotalDays } },
        };

        private static async Task Enroll(HttpContext context, LabAuthority authority)
        {
            var body = await LabJson.Read(context);
            var profileId = body is { } b && b.TryGetProperty("profile", out var p) && p.ValueKind == JsonValueKind.Object ? DigiCertJsonChannel.Str(p, "id") : null;
            var csr = body is { } c ? DigiCertJsonChannel.Str(c, "csr") : null;
            if (profileId == null || csr == null)
            {
                await LabJson.Write(context, 400, new { errors = new[] { new { code = "invalid_request", message = "profile.id and csr are required.", field = profileId == null ? "profile.id" : "csr" } } });
                return;
            }
            var template = authority.Ca.Templates.FirstOrDefault(t => ProfileId(t) == profileId);
            if (template == null)
            {
                await LabJson.Write(context, 400, new { errors = new[] { new { code = "invalid_request", message = $"Profile {profileId} does not exist or is not active.", field = "profile.id" } } });
                return;
            }
            var der = Pem.ReadPemOrDer(Encoding.UTF8.GetBytes(csr), "CSR", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
            if (AttributeMismatch(body!.Value, CsrParser.Parse(der), template) is { } mismatch)
            {
                await LabJson.Write(context, 400, new { errors = new[] { new { code = "invalid_request", message = mismatch.Message, field = mismatch.Field } } });
                return;
            }
            var result = authority.Ca.Submit(der, template.Name, new Dictionary<string, string>());
            await Answer(context, 201, result);
        }

        /// <summary>
        /// The profile's enrollment-field rules, as DigiCert ONE applies them: the attributes must agree with the CSR,
        /// and the User profile (an Intune/S-MIME style profile) requires an email address.
        /// </summary>
        private static (string Field, string Message)? AttributeMismatch(JsonElement body, CsrInfo csr, CaTemplate template)
        {
            var attributes = body.TryGetProperty("attributes", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
            var commonName = attributes.ValueKind == JsonValueKind.Object && attributes.TryGetProperty("subject", out var subject) ? DigiCertJsonChannel.Str(subject, "common_name") : null;
            if (commonName != null && !string.Equals(commonName, csr.CommonName, StringComparison.Ordinal))
                return ("attributes.subject.common_name", $"Attribute mismatch: common_name '{commonName}' differs from the CSR's '{csr.CommonName}'.");
            var hasEmail = csr.SubjectAlternativeNames.Any(n => n.Type == SanType.Email) || System.Text.RegularExpressions.Regex.IsMatch(csr.Subject, @"(^|[,+]\s*)E=", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            if (template.Name == "User" && !hasEmail)
                return ("attributes.extensions.san.emails", "Attribute mismatch: the profile requires an email address (SAN email or subject E), and the request has none.");
            return null;
        }

        private static async Task Pickup(HttpContext context, LabAuthority authority, string requestId)
        {
            if (!long.TryParse(requestId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) throw NotFound(requestId);
            await Answer(context, 200, authority.Ca.GetRequest(id));
        }

        private static async Task Answer(HttpContext context, int issuedStatus, SubmitResult result)
        {
            switch (result.Status)
            {
                case SubmitStatus.Pending:
                    await LabJson.Write(context, issuedStatus, new { request_id = result.RequestId, status = "PENDING" });
                    return;
                case SubmitStatus.Issued:
                case SubmitStatus.Revoked:
                    var pem = string.Concat(new[] { result.Certificate! }.Concat(result.Chain).Select(c => Pem.Encode("CERTIFICATE", c)));
                    await LabJson.Write(context, issuedStatus, new
                    {
                        serial_number = CertificateReader.Read(result.Certificate!).SerialNumber,
                        delivery_format = "x509",
                        certificate = pem,
                        status = "ISSUED",
                        request_id = result.RequestId,
                    });
                    return;
                default:
                    await LabJson.Write(context, 400, new { errors = new[] { new { code = "request_rejected", message = result.DispositionMessage ?? "The request was rejected." } } });
                    return;
            }
        }

        private static async Task Revoke(HttpContext context, LabAuthority authority, string serial)
        {
            var body = await LabJson.Read(context);
            var reasonText = body is { } b ? DigiCertJsonChannel.Str(b, "revocation_reason") : null;
            var reason = DigiCertReasons.Parse(reasonText);
            if (reason == null)
            {
                await LabJson.Write(context, 400, new { errors = new[] { new { code = "invalid_request", message = $"revocation_reason '{reasonText}' is not one of key_compromise, superseded, …", field = "revocation_reason" } } });
                return;
            }
            // DigiCert ONE refuses any second revocation, the same one included; our embedded CA takes that as a no-op.
            bool changed;
            try { changed = authority.Ca.Revoke(serial, reason.Value, null); }
            catch (PscException ex) when (ex.ErrorId == "AlreadyRevoked") { changed = false; }
            if (!changed)
            {
                await LabJson.Write(context, 400, new { errors = new[] { new { code = "invalid_request", message = "Certificate already has been revoked" } } });
                return;
            }
            context.Response.StatusCode = 204;
        }

        private static async Task Search(HttpContext context, LabAuthority authority)
        {
            int.TryParse(context.Request.Query["offset"], out var offset);
            if (!int.TryParse(context.Request.Query["limit"], out var limit) || limit <= 0) limit = 20;
            limit = Math.Min(limit, 1000);
            var all = AllCertificates(authority);
            var items = all.Skip(Math.Max(offset, 0)).Take(limit).Select(c => Details(c.Item, c.Serial)).ToList();
            await LabJson.Write(context, 200, new { total = all.Count, offset, limit, items });
        }

        private static List<(IssuedCertificate Item, string Serial)> AllCertificates(LabAuthority authority)
        {
            var list = new List<IssuedCertificate>();
            string? cursor = null;
            for (int guard = 0; guard < 10_000; guard++)
            {
                var page = authority.Ca.Enumerate(cursor, 1000);
                list.AddRange(page.Items);
                cursor = page.Cursor;
                if (!page.HasMore) break;
            }
            return list.OrderBy(i => long.Parse(i.RequestId, CultureInfo.InvariantCulture))
                .Select(i => (i, CertificateReader.Read(i.Certificate).SerialNumber)).ToList();
        }

        private static object Details(IssuedCertificate item, string serial)
        {
            var details = CertificateReader.Read(item.Certificate);
            var template = EmbeddedCaTemplatesLookup(item.Template);
            var status = item.RevocationReason == RevocationReason.CertificateHold ? "suspended" : item.RevokedAt.HasValue ? "revoked" : "issued";
            return new
            {
                serial_number = serial,
                certificate = Convert.ToBase64String(item.Certificate),
                common_name = details.CommonName,
                status,
                valid_from = details.NotBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                valid_to = details.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                profile = new { id = template == null ? "" : ProfileId(template), name = template?.DisplayName ?? item.Template },
                revocation = item.RevokedAt.HasValue
                    ? new { reason = DigiCertReasons.SnakeCase(item.RevocationReason ?? RevocationReason.Unspecified), revocation_date = item.RevokedAt.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), comments = "" }
                    : null,
            };
        }

        private static CaTemplate? EmbeddedCaTemplatesLookup(string? name) =>
            name == null ? null : Core.Connectors.Embedded.EmbeddedCaTemplates.Find(name);

        private static PscException NotFound(string what) =>
            new PscException("NotFound", FailureCategory.ObjectNotFound, $"No certificate or request '{what}' exists.");




    }
}
