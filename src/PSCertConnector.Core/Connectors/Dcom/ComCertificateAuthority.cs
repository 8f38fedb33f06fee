using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Connectors.Dcom
{
    /// <summary>
    /// The real seam: CertCli (CertificateAuthority.Request) and CertAdm (CertificateAuthority.Admin and .View),
    /// late-bound through IDispatch so that nothing is linked against Windows-only interop assemblies. Only
    /// Windows has these objects; this class is not exercised on the Linux build machines (see README, "Windows tests").
    /// </summary>
    internal sealed class ComCertificateAuthority : ICertificateAuthorityCom
    {
        private const int CR_IN_BASE64 = 0x1, CR_IN_PKCS10 = 0x100, CR_IN_PKCS7 = 0x300;
        private const int CR_OUT_BASE64 = 0x1, CR_OUT_CHAIN = 0x100;
        private const int CR_PROP_TEMPLATES = 29, PROPTYPE_STRING = 4;
        private const int CV_OUT_BASE64 = 0x1;
        private const int CVRC_COLUMN_SCHEMA = 0;
        private const int CVR_SEEK_EQ = 0x1, CVR_SEEK_LE = 0x4, CVR_SEEK_GE = 0x8, CVR_SEEK_GT = 0x10;
        private const int CVR_SORT_NONE = 0, CVR_SORT_ASCEND = 1;

        private static readonly string[] Columns =
        {
            "RequestID", "Request.Disposition", "RawCertificate", "CertificateTemplate",
            "Request.RevokedWhen", "Request.RevokedEffectiveWhen", "Request.RevokedReason", "Request.RequesterName",
        };

        private object? _request;
        private object? _admin;

        private object Request => _request ??= Create("CertificateAuthority.Request", "CertCli");
        private object Admin => _admin ??= Create("CertificateAuthority.Admin", "CertAdm");

        public CaRequestResult Submit(string config, string csrBase64, string attributes)
        {
            var format = SignedRenewalRequest.IsSignedData(Convert.FromBase64String(csrBase64)) ? CR_IN_PKCS7 : CR_IN_PKCS10;
            var disposition = ToInt(Invoke(Request, "Submit", CR_IN_BASE64 | format, csrBase64, attributes, config));
            return Result(disposition);
        }

        public CaRequestResult RetrievePending(string config, int requestId) =>
            Result(ToInt(Invoke(Request, "RetrievePending", requestId, config)));

        public int Resubmit(string config, int requestId) => ToInt(Invoke(Admin, "ResubmitRequest", config, requestId));

        public void Deny(string config, int requestId) => Invoke(Admin, "DenyRequest", config, requestId);

        public void Revoke(string config, string serialNumber, int reason, DateTime effectiveUtc) =>
            Invoke(Admin, "RevokeCertificate", config, serialNumber, reason, effectiveUtc);

        public string GetTemplates(string config) =>
            Invoke(Request, "GetCAProperty", config, CR_PROP_TEMPLATES, 0, PROPTYPE_STRING, 0) as string ?? "";

        public byte[] GetCaCertificate(string config) => FromBase64(Invoke(Request, "GetCACertificate", 0, config, CR_OUT_BASE64));

        public byte[] GetCrl(string config) => FromBase64(Invoke(Admin, "GetCRL", config, CR_OUT_BASE64));

        public IEnumerable<CaDatabaseRow> ReadRows(string config, CaRowQuery query)
        {
            var view = Create("CertificateAuthority.View", "CertAdm");
            object? rows = null;
            try
            {
                Invoke(view, "OpenConnection", config);
                int Index(string name) => ToInt(Invoke(view, "GetColumnIndex", CVRC_COLUMN_SCHEMA, name));
                Invoke(view, "SetResultColumnCount", Columns.Length);
                foreach (var column in Columns) Invoke(view, "SetResultColumn", Index(column));
                if (query.RevokedSince is DateTime since)
                {
                    Invoke(view, "SetRestriction", Index("Request.RevokedWhen"), CVR_SEEK_GE, CVR_SORT_ASCEND, since);
                    Invoke(view, "SetRestriction", Index("Request.Disposition"), CVR_SEEK_EQ, CVR_SORT_NONE, (int)CaDatabaseDisposition.Revoked);
                }
                else
                {
                    Invoke(view, "SetRestriction", Index("RequestID"), CVR_SEEK_GT, CVR_SORT_ASCEND, query.AfterRequestId);
                    Invoke(view, "SetRestriction", Index("Request.Disposition"), CVR_SEEK_GE, CVR_SORT_NONE, (int)CaDatabaseDisposition.Issued);
                    Invoke(view, "SetRestriction", Index("Request.Disposition"), CVR_SEEK_LE, CVR_SORT_NONE, (int)CaDatabaseDisposition.Revoked);
                }
                rows = Invoke(view, "OpenView")!;
                var sameInstant = new List<CaDatabaseRow>();
                while (ToInt(Invoke(rows, "Next")) != -1)
                {
                    var row = ReadRow(rows);
                    if (query.RevokedSince == null)
                    {
                        yield return row;
                        continue;
                    }
                    // The view sorts by RevokedWhen only; the caller's watermark needs (RevokedWhen, RequestID) order.
                    if (sameInstant.Count > 0 && sameInstant[0].RevokedWhen != row.RevokedWhen)
                    {
                        foreach (var held in sameInstant.OrderBy(r => r.RequestId)) yield return held;
                        sameInstant.Clear();
                    }
                    sameInstant.Add(row);
                }
                foreach (var held in sameInstant.OrderBy(r => r.RequestId)) yield return held;
            }
            finally
            {
                if (rows != null) Release(rows);
                Release(view);
            }
        }

        private static CaDatabaseRow ReadRow(object rows)
        {
            var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            var columns = Invoke(rows, "EnumCertViewColumn")!;
            try
            {
                while (ToInt(Invoke(columns, "Next")) != -1)
                    values[(string)Invoke(columns, "GetName")!] = Invoke(columns, "GetValue", CV_OUT_BASE64);
            }
            finally { Release(columns); }
            DateTime? Date(string name) => values.TryGetValue(name, out var v) && v is DateTime d ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : null;
            return new CaDatabaseRow
            {
                RequestId = ToInt(values["RequestID"]),
                Disposition = ToInt(values["Request.Disposition"]),
                RawCertificate = values.TryGetValue("RawCertificate", out var raw) && raw is string b64 && b64.Length > 0 ? FromBase64(b64) : null,
                Template = values.TryGetValue("CertificateTemplate", out var t) ? t as string : null,
                RevokedWhen = Date("Request.RevokedWhen"),
                RevokedEffectiveWhen = Date("Request.RevokedEffectiveWhen"),
                RevokedReason = values.TryGetValue("Request.RevokedReason", out var r) && r != null ? ToInt(r) : null,
                RequesterName = values.TryGetValue("Request.RequesterName", out var requester) ? requester as string : null,
            };
        }

        private CaRequestResult Result(int disposition)
        {
            var request = Request;
            var requestId = ToInt(Invoke(request, "GetRequestId"));
            var status = ToInt(Invoke(request, "GetLastStatus"));
            var message = Invoke(request, "GetDispositionMessage") as string;
            byte[]? certificate = null, chain = null;
            if (disposition is 3 or 4 or 6) // issued, issued out of band, revoked
            {
                certificate = FromBase64(Invoke(request, "GetCertificate", CR_OUT_BASE64));
                chain = FromBase64(Invoke(request, "GetCertificate", CR_OUT_BASE64 | CR_OUT_CHAIN));
            }
            return new CaRequestResult(disposition, requestId, status, message, certificate, chain);
        }

        private static object Create(string progId, string library)
        {
            var type = Type.GetTypeFromProgID(progId, throwOnError: false);
            if (type == null)
            {
                if (library == "CertAdm") throw DcomConnectorType.CertAdmMissing(null);
                throw new PscException("CertCliMissing", FailureCategory.NotImplemented, $"The COM class {progId} ({library}.dll) is not registered on this machine.");
            }
            return Activator.CreateInstance(type)!;
        }

        private static object? Invoke(object target, string method, params object?[] args)
        {
            try
            {
                return target.GetType().InvokeMember(method, BindingFlags.InvokeMethod, null, target, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }

        private static int ToInt(object? value) => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);

        private static byte[] FromBase64(object? value) =>
            Convert.FromBase64String(new string(((value as string) ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray()));

        private static void Release(object comObject)
        {
            if (Marshal.IsComObject(comObject)) Marshal.ReleaseComObject(comObject);
        }

        public void Dispose()
        {
            if (_request != null) Release(_request);
            if (_admin != null) Release(_admin);
            _request = _admin = null;
        }
    }
}
