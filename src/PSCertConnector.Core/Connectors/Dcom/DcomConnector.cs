using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Connectors.Dcom
{
    /// <summary>
    /// AD CS over DCOM (CertCli/CertAdm, as certreq, the CA console and PSPKI use): every capability,
    /// including approve, deny, revoke and reading the CA database for import. The COM calls sit behind
    /// ICertificateAuthorityCom; this class does the mapping, paging, watermarks and error translation.
    /// </summary>
    public sealed class DcomConnector : CaConnectorBase
    {
        public const string TypeName = "adcs-dcom";
        /// <summary>ICertAdmin::RevokeCertificate's "unrevoke" reason for a certificate on hold (MAXDWORD).</summary>
        internal const int ReleaseHoldReason = -1;
        private const string PermissionEnroll = "Request Certificates (and Enroll on the template)";
        private const string PermissionOfficer = "Issue and Manage Certificates";

        private readonly ICertificateAuthorityCom _com;
        private IReadOnlyDictionary<string, string>? _templateNamesByOid;

        internal DcomConnector(string config, ICertificateAuthorityCom com)
        {
            Config = config;
            _com = com;
        }

        /// <summary>The CA configuration string, host\CA name.</summary>
        public string Config { get; }
        public override string Type => TypeName;

        public override ConnectorCapabilities Capabilities =>
            ConnectorCapabilities.Ping | ConnectorCapabilities.Templates | ConnectorCapabilities.Enroll | ConnectorCapabilities.RetrievePending
            | ConnectorCapabilities.Approve | ConnectorCapabilities.Deny | ConnectorCapabilities.Revoke | ConnectorCapabilities.ReleaseHold
            | ConnectorCapabilities.EnumerateIssued | ConnectorCapabilities.CaCertificates | ConnectorCapabilities.Crl | ConnectorCapabilities.SignedRenewal;

        public override ConnectorTestResult Test(CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            var certificate = CertificateReader.Read(Call("read the CA certificate", PermissionEnroll, () => _com.GetCaCertificate(Config)));
            var valid = certificate.NotAfter > DateTimeOffset.UtcNow;
            return new ConnectorTestResult(valid,
                valid ? $"CA '{Config}' answered: '{certificate.Subject}', valid until {certificate.NotAfter:yyyy-MM-dd}."
                      : $"CA '{Config}' answered, but its certificate '{certificate.Subject}' expired on {certificate.NotAfter:yyyy-MM-dd}.", watch.Elapsed);
        }

        public override IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation) =>
            TemplateList().Select(t => new CaTemplate { Name = t.Name, DisplayName = t.Name, Oid = t.Oid }).ToList();

        public override SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation)
        {
            var lines = new List<string> { "CertificateTemplate:" + template };
            foreach (var attribute in attributes.Where(a => !a.Key.Equals("CertificateTemplate", StringComparison.OrdinalIgnoreCase)))
            {
                if ((attribute.Key + attribute.Value).IndexOfAny(new[] { '\r', '\n' }) >= 0 || attribute.Key.IndexOf(':') >= 0)
                    throw new PscException("InvalidAttribute", FailureCategory.InvalidArgument,
                        $"The request attribute '{attribute.Key}' cannot be sent: names may not contain ':' and neither may contain line breaks.") { Target = attribute.Key };
                lines.Add(attribute.Key + ":" + attribute.Value);
            }
            var result = Call("submit a request", PermissionEnroll, () => _com.Submit(Config, Convert.ToBase64String(csrDer), string.Join("\n", lines)));
            return ToResult(result);
        }

        public override SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation)
        {
            var id = ParseId(requestId);
            return ToResult(Call("retrieve a request", PermissionEnroll, () => _com.RetrievePending(Config, id)));
        }

        public override SubmitResult Approve(string requestId, CancellationToken cancellation)
        {
            var id = ParseId(requestId);
            Call("approve a pending request", PermissionOfficer, () => _com.Resubmit(Config, id));
            return GetRequest(requestId, null, cancellation);
        }

        public override SubmitResult Deny(string requestId, CancellationToken cancellation)
        {
            var id = ParseId(requestId);
            Call("deny a pending request", PermissionOfficer, () => { _com.Deny(Config, id); return 0; });
            return GetRequest(requestId, null, cancellation);
        }

        public override void Revoke(string serialNumber, RevocationReason reason, DateTimeOffset? effectiveDate, CancellationToken cancellation)
        {
            if (reason == RevocationReason.RemoveFromCrl)
            {
                ReleaseHold(serialNumber, cancellation);
                return;
            }
            var serial = Hex.NormalizeSerial(serialNumber);
            var when = (effectiveDate ?? DateTimeOffset.UtcNow).UtcDateTime;
            Call("revoke a certificate", PermissionOfficer, () => { _com.Revoke(Config, serial, (int)reason, when); return 0; });
        }

        public override void ReleaseHold(string serialNumber, CancellationToken cancellation)
        {
            var serial = Hex.NormalizeSerial(serialNumber);
            Call("release a certificate from hold", PermissionOfficer, () => { _com.Revoke(Config, serial, ReleaseHoldReason, DateTime.UtcNow); return 0; });
        }

        public override CaCertificates GetCaCertificates(CancellationToken cancellation) =>
            new CaCertificates(new X509Certificate2(Call("read the CA certificate", PermissionEnroll, () => _com.GetCaCertificate(Config))), Array.Empty<X509Certificate2>());

        public override byte[] GetCrl(CancellationToken cancellation) =>
            Call("read the CA's CRL", PermissionEnroll, () => _com.GetCrl(Config));

        /// <summary>
        /// Reads the CA database in two phases that one cursor carries: every issued or revoked row after the
        /// request-id watermark, then (from the second import on) the rows revoked on the CA since the
        /// revocation watermark, so that certificates imported earlier and revoked since are updated. The
        /// import stores a cursor only after its page is committed.
        /// </summary>
        public override IssuedPage EnumerateIssued(string? cursor, int batchSize, CancellationToken cancellation)
        {
            var state = cursor == null
                ? new DcomCursor { FirstPass = true, RevokedSince = DateTime.UtcNow - RevocationClockSkew }
                : DcomCursor.Parse(cursor);
            if (state.Phase == DcomCursor.RequestIds)
            {
                var rows = ReadPage(new CaRowQuery { AfterRequestId = state.AfterRequestId }, batchSize, _ => false, cancellation);
                var page = rows.Take(batchSize).ToList();
                var next = state with { AfterRequestId = page.Count > 0 ? page[page.Count - 1].RequestId : state.AfterRequestId };
                if (rows.Count > batchSize) return Page(page, next, hasMore: true);
                // A first import read every revocation as it went; later ones go on to the rows revoked since the last.
                return next.FirstPass
                    ? Page(page, next with { FirstPass = false }, hasMore: false)
                    : Page(page, next with { Phase = DcomCursor.Revocations }, hasMore: true);
            }

            // Ordered by (RevokedWhen, RequestID): rows at the watermark's instant that were already read are skipped,
            // so a page boundary inside one instant loses nothing and repeats nothing.
            var since = state.RevokedSince ?? DateTime.UtcNow - RevocationClockSkew;
            var revoked = ReadPage(new CaRowQuery { RevokedSince = since }, batchSize,
                row => row.RevokedWhen == since && row.RequestId <= state.RevokedAfterRequestId, cancellation);
            var taken = revoked.Take(batchSize).ToList();
            var last = taken.LastOrDefault();
            var after = last?.RevokedWhen == null ? state with { RevokedSince = since } : state with { RevokedSince = last.RevokedWhen, RevokedAfterRequestId = last.RequestId };
            return revoked.Count > batchSize
                ? Page(taken, after, hasMore: true)
                : Page(taken, after with { Phase = DcomCursor.RequestIds }, hasMore: false);
        }

        /// <summary>How far back a first import's revocation watermark starts, for clock differences between us and the CA.</summary>
        private static readonly TimeSpan RevocationClockSkew = TimeSpan.FromMinutes(10);

        private IssuedPage Page(List<CaDatabaseRow> rows, DcomCursor cursor, bool hasMore) =>
            new IssuedPage(rows.Select(ToIssued).Where(i => i != null).Select(i => i!).ToList(), cursor.ToString(), hasMore);

        /// <summary>Up to batchSize + 1 rows (the extra one says there are more), read as a stream from the view.</summary>
        private List<CaDatabaseRow> ReadPage(CaRowQuery query, int batchSize, Func<CaDatabaseRow, bool> alreadyRead, CancellationToken cancellation) =>
            Call("read the CA database", PermissionOfficer, () =>
            {
                var rows = new List<CaDatabaseRow>(Math.Min(batchSize + 1, 10_000));
                foreach (var row in _com.ReadRows(Config, query))
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (alreadyRead(row)) continue;
                    rows.Add(row);
                    if (rows.Count > batchSize) break;
                }
                return rows;
            });

        private IssuedCertificate? ToIssued(CaDatabaseRow row)
        {
            if (row.RawCertificate == null || row.RawCertificate.Length == 0) return null;
            var revoked = row.Disposition == (int)CaDatabaseDisposition.Revoked;
            return new IssuedCertificate
            {
                RequestId = row.RequestId.ToString(CultureInfo.InvariantCulture),
                Certificate = row.RawCertificate,
                Template = TemplateName(row.Template),
                RevokedAt = revoked ? new DateTimeOffset(DateTime.SpecifyKind(row.RevokedEffectiveWhen ?? row.RevokedWhen ?? DateTime.UtcNow, DateTimeKind.Utc)) : null,
                RevocationReason = revoked && row.RevokedReason is int reason && Enum.IsDefined(typeof(RevocationReason), reason) ? (RevocationReason)reason
                    : revoked ? RevocationReason.Unspecified : null,
                Requester = row.RequesterName,
            };
        }

        /// <summary>The CertificateTemplate column holds an OID for version 2+ templates: show the name the CA lists for it.</summary>
        private string? TemplateName(string? value)
        {
            if (value == null || !Oids.IsValid(value)) return value;
            _templateNamesByOid ??= TemplateList().Where(t => t.Oid != null).GroupBy(t => t.Oid!).ToDictionary(g => g.Key, g => g.First().Name);
            return _templateNamesByOid.TryGetValue(value, out var name) ? name : value;
        }

        private IReadOnlyList<(string Name, string? Oid)> TemplateList()
        {
            var raw = Call("list the CA's templates", PermissionEnroll, () => _com.GetTemplates(Config));
            var parts = raw.Split(new[] { '\n' }, StringSplitOptions.None).Select(p => p.Trim()).ToList();
            var list = new List<(string, string?)>();
            for (int i = 0; i + 1 < parts.Count; i += 2)
                if (parts[i].Length > 0) list.Add((parts[i], parts[i + 1].Length > 0 ? parts[i + 1] : null));
            return list;
        }

        private SubmitResult ToResult(CaRequestResult result)
        {
            var disposition = (RequestDisposition)result.Disposition;
            var status = Dispositions.ToStatus(disposition);
            byte[]? certificate = status is SubmitStatus.Issued or SubmitStatus.IssuedOutOfBand or SubmitStatus.Revoked ? result.Certificate : null;
            var chain = result.ChainPkcs7 == null ? new List<byte[]>()
                : Pkcs7.ReadCertificates(result.ChainPkcs7, "certificate chain from the CA").Where(c => certificate == null || !c.AsSpan().SequenceEqual(certificate)).ToList();
            return new SubmitResult
            {
                RequestId = result.RequestId > 0 ? result.RequestId.ToString(CultureInfo.InvariantCulture) : null,
                Status = status,
                Disposition = disposition,
                HResult = status is SubmitStatus.Denied or SubmitStatus.Failed ? result.LastStatus : 0,
                DispositionMessage = result.DispositionMessage,
                Certificate = certificate,
                Chain = chain,
            };
        }

        /// <summary>Runs one seam call and turns the CA's HRESULTs into errors that say what to do.</summary>
        private T Call<T>(string action, string permission, Func<T> call)
        {
            try
            {
                return call();
            }
            catch (System.Runtime.InteropServices.ExternalException ex)
            {
                throw Translate(ex, action, permission);
            }
        }

        private PscException Translate(Exception ex, string action, string permission)
        {
            var hresult = unchecked((uint)ex.HResult);
            var described = HResults.Describe(ex.HResult);
            switch (hresult)
            {
                case 0x800706BA: // RPC_S_SERVER_UNAVAILABLE
                case 0x800706BE: // RPC_S_CALL_FAILED
                case 0x800706D9: // EPT_S_NOT_REGISTERED
                    return new ServiceUnavailableException("CaUnreachable", FailureCategory.ConnectionError,
                        $"The CA '{Config}' could not be reached to {action}: check that the Certificate Services service (certsvc) runs on {Host}, " +
                        $"that the name resolves, and that TCP 135 and the dynamic RPC ports are open. {described}", ex) { Target = Config };
                case 0x80070005: // E_ACCESSDENIED
                    return new PscException("CaAccessDenied", FailureCategory.PermissionDenied,
                        $"The CA '{Config}' refused to let this account {action}. It needs the '{permission}' permission on the CA " +
                        "(certsrv.msc → the CA's Properties → Security); on the CA host itself, run the shell elevated (User Account Control). " + described, ex) { Target = Config };
                case 0x80094004: // CERTSRV_E_PROPERTY_EMPTY
                    return new PscException("RequestNotFound", FailureCategory.ObjectNotFound, $"The CA '{Config}' has no such request. {described}", ex) { Target = Config };
                case 0x80094003: // CERTSRV_E_BAD_REQUESTSTATUS
                    return new PscException("RequestNotPending", FailureCategory.InvalidOperation, $"The CA '{Config}' cannot {action}: {described}", ex) { Target = Config };
                case 0x80094800: // CERTSRV_E_UNSUPPORTED_CERT_TYPE
                    return new PscException("TemplateNotPublished", FailureCategory.ObjectNotFound,
                        $"The CA '{Config}' does not issue that template: publish it on the CA (certsrv.msc → Certificate Templates → New → Certificate Template to Issue) or pick another. {described}", ex) { Target = Config };
                case 0x80074003: // CERTSRV_E_SERIAL/not found for revoke ("Cannot find object or property")
                case 0x80092004: // CRYPT_E_NOT_FOUND
                    return new PscException("CertificateNotFoundOnCa", FailureCategory.ObjectNotFound, $"The CA '{Config}' has no certificate with that serial number. {described}", ex) { Target = Config };
                case 0x80040154: // REGDB_E_CLASSNOTREG
                    return DcomConnectorType.CertAdmMissing(ex);
                default:
                    return new PscException("CaError", FailureCategory.InvalidOperation, $"The CA '{Config}' could not {action}: {ex.Message} {described}", ex) { Target = Config };
            }
        }

        private string Host => Config.Split('\\')[0];

        private static int ParseId(string requestId) =>
            int.TryParse(requestId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id
            : throw new PscException("InvalidRequestId", FailureCategory.InvalidArgument, $"The request id '{requestId}' is not a positive number.") { Target = requestId };

        public override void Dispose() => _com.Dispose();
    }
}
