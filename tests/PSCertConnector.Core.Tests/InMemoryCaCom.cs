using System.Runtime.InteropServices;
using PSCertConnector.Core.Connectors.Dcom;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// An in-memory stand-in for the CertCli/CertAdm COM objects (the one boundary this Linux machine cannot
    /// reach). It behaves as AD CS does at the seam: CR_DISP results with GetLastStatus, CA database
    /// dispositions in the view, COMExceptions with the CA's HRESULTs, and a view that streams rows in
    /// request-id or (RevokedWhen, RequestID) order. Certificates it issues are real, signed by its own CA.
    /// Synthetic rows (for the million-row benchmark) are made on the fly from template certificates (one per expiry
    /// date) with the serial and common name patched, so they cost no memory until read; their signatures are not valid.
    /// </summary>
    public sealed class InMemoryCaCom : ICertificateAuthorityCom
    {
        public sealed class Row
        {
            public int RequestId;
            public int Disposition; // CaDatabaseDisposition
            public byte[] Csr = Array.Empty<byte>();
            public byte[]? Certificate;
            public string Template = "";
            public string? Serial;
            public DateTime? RevokedWhen;
            public DateTime? RevokedEffectiveWhen;
            public int? RevokedReason;
            public string? Requester;
            public int LastStatus;
            public string Message = "";
            /// <summary>What the client sent when it was not a bare PKCS#10 (a signed renewal).</summary>
            public byte[]? Sent;
        }

        private readonly object _lock = new();
        private readonly AsymmetricKey _caKey = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
        private readonly CaSigner _signer;
        private readonly Dictionary<string, string> _templateOids = new(StringComparer.OrdinalIgnoreCase)
        {
            ["WebServer"] = "", // a version 1 template: the CertificateTemplate column holds its name
            ["ContosoWeb"] = "1.3.6.1.4.1.311.21.8.1000.2000.3000.4000.5000.6000.101.1",
            ["ContosoWebApproval"] = "1.3.6.1.4.1.311.21.8.1000.2000.3000.4000.5000.6000.101.2",
        };
        private readonly Dictionary<string, (int AfterCalls, int HResult)> _failures = new();
        private byte[][]? _syntheticTemplates;
        private int _serialOffset, _nameOffset;

        public InMemoryCaCom()
        {
            var now = DateTimeOffset.UtcNow;
            var caCert = CaSigner.CreateSelfSigned(_caKey, "CN=Contoso Issuing CA, O=Contoso", new IssuancePolicy
            {
                SerialNumber = CaSigner.NewSerial(), NotBefore = now.AddDays(-1), NotAfter = now.AddYears(5), IsCa = true, KeyUsage = 0x06,
            });
            _signer = new CaSigner(caCert, _caKey);
        }

        public string ExpectedConfig { get; set; } = "ca01.contoso.com\\Contoso Issuing CA";
        /// <summary>The account the CA records as the requester of what is submitted next (Request.RequesterName).</summary>
        public string Caller { get; set; } = "CONTOSO\\svc-pki";
        public List<Row> Rows { get; } = new();
        /// <summary>Rows 1..N that exist only when read (see the class summary).</summary>
        public int SyntheticRows { get; private set; }
        public int SyntheticRevokedEvery { get; private set; }
        public List<string> Calls { get; } = new();
        public int RowsRead;
        public (string Serial, int Reason, DateTime Date)? LastRevoke;
        public byte[] CaCertificate => _signer.CertificateDer;

        /// <summary>The call of this seam method after afterCalls more successful ones throws a COMException with this HRESULT.</summary>
        public void Fail(string method, uint hresult, int afterCalls = 0) => _failures[method] = (afterCalls, unchecked((int)hresult));

        /// <summary>Makes rows 1..count issued (every revokedEvery-th revoked) without storing them.</summary>
        public void AddSyntheticRows(int count, int revokedEvery)
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.EcdsaP256, 256);
            var serial = Enumerable.Repeat((byte)0x5A, 16).ToArray();
            var now = DateTimeOffset.UtcNow;
            // One template per expiry date, later for later rows as on a CA that issues over time: the first rows expire
            // within 30 days (one in ExpiryTemplates / 2), the others over a year from now, so "expiring soon" finds a few.
            _syntheticTemplates = Enumerable.Range(0, ExpiryTemplates).Select(t => _signer.Issue("CN=s00000000.contoso.com", key.PublicKeyInfo, new IssuancePolicy
            {
                SerialNumber = serial, NotBefore = now.AddDays(-1), NotAfter = t < 2 ? now.AddDays(10 + 5 * t) : now.AddDays(400 + t * 0.03), KeyUsage = 0xa0,
            })).ToArray();
            _serialOffset = IndexOf(_syntheticTemplates[0], serial);
            _nameOffset = IndexOf(_syntheticTemplates[0], System.Text.Encoding.ASCII.GetBytes("s00000000"));
            SyntheticRows = count;
            SyntheticRevokedEvery = revokedEvery;
        }

        /// <summary>Synthetic rows spread over this many expiry dates.</summary>
        public const int ExpiryTemplates = 10_000;

        /// <summary>The common name of synthetic row id ("s" and its id in 8 hex digits, e.g. s0000002a.contoso.com).</summary>
        public static string SyntheticName(int id) => "s" + id.ToString("x8") + ".contoso.com";

        public CaRequestResult Submit(string config, string csrBase64, string attributes)
        {
            Enter("Submit", config);
            lock (_lock)
            {
                var template = attributes.Split('\n').Select(l => l.Split(new[] { ':' }, 2)).Where(p => p.Length == 2 && p[0] == "CertificateTemplate").Select(p => p[1]).FirstOrDefault() ?? "";
                var row = new Row { RequestId = NextId(), Csr = Convert.FromBase64String(csrBase64), Template = _templateOids.TryGetValue(template, out var oid) && oid.Length > 0 ? oid : template, Requester = Caller };
                // A renewal (CR_IN_PKCS7): the PKCS#10 inside is what the CA signs; AD CS issues it without approval again when
                // the signer is a valid certificate this CA issued from the same template.
                byte[]? signer = null;
                if (SignedRenewalRequest.IsSignedData(row.Csr))
                {
                    row.Sent = row.Csr;
                    (row.Csr, signer) = SignedRenewalRequest.Open(row.Csr);
                }
                bool renewsOwnCertificate = signer != null && Rows.Any(r => r.Certificate != null && r.Certificate.SequenceEqual(signer)
                    && r.Disposition == (int)CaDatabaseDisposition.Issued && r.Template == row.Template);
                Rows.Add(row);
                if (!_templateOids.ContainsKey(template))
                {
                    row.Disposition = (int)CaDatabaseDisposition.Failed;
                    row.LastStatus = unchecked((int)0x80094800);
                    row.Message = $"Denied by Policy Module  0x80094800, The request was for a certificate template that is not supported by the Active Directory Certificate Services policy: {template}.";
                }
                else if (template.EndsWith("Approval", StringComparison.Ordinal) && !renewsOwnCertificate)
                {
                    row.Disposition = (int)CaDatabaseDisposition.Pending;
                    row.Message = "Taken Under Submission";
                }
                else Issue(row);
                return Result(row);
            }
        }

        public CaRequestResult RetrievePending(string config, int requestId)
        {
            Enter("RetrievePending", config);
            lock (_lock) return Result(Find(requestId));
        }

        public int Resubmit(string config, int requestId)
        {
            Enter("Resubmit", config);
            lock (_lock)
            {
                var row = Find(requestId);
                if (row.Disposition != (int)CaDatabaseDisposition.Pending) throw new COMException("The request is not pending.", unchecked((int)0x80094003));
                Issue(row);
                return 3;
            }
        }

        public void Deny(string config, int requestId)
        {
            Enter("Deny", config);
            lock (_lock)
            {
                var row = Find(requestId);
                if (row.Disposition != (int)CaDatabaseDisposition.Pending) throw new COMException("The request is not pending.", unchecked((int)0x80094003));
                row.Disposition = (int)CaDatabaseDisposition.Denied;
                row.LastStatus = unchecked((int)0x80094014);
                row.Message = "Denied by Administrator";
            }
        }

        public void Revoke(string config, string serialNumber, int reason, DateTime effectiveUtc)
        {
            Enter("Revoke", config);
            lock (_lock)
            {
                LastRevoke = (serialNumber, reason, effectiveUtc);
                var row = Rows.FirstOrDefault(r => r.Serial == serialNumber)
                    ?? throw new COMException("Cannot find object or property.", unchecked((int)0x80092004));
                if (reason == DcomConnector.ReleaseHoldReason)
                {
                    if (row.RevokedReason != (int)RevocationReason.CertificateHold) throw new COMException("Not on hold.", unchecked((int)0x80094003));
                    row.Disposition = (int)CaDatabaseDisposition.Issued;
                    row.RevokedReason = null;
                    row.RevokedWhen = row.RevokedEffectiveWhen = null;
                    return;
                }
                row.Disposition = (int)CaDatabaseDisposition.Revoked;
                row.RevokedReason = reason;
                row.RevokedWhen = Clock();
                row.RevokedEffectiveWhen = effectiveUtc;
            }
        }

        public string GetTemplates(string config)
        {
            Enter("GetTemplates", config);
            return string.Concat(_templateOids.Select(t => t.Key + "\n" + t.Value + "\n"));
        }

        public byte[] GetCaCertificate(string config)
        {
            Enter("GetCaCertificate", config);
            return _signer.CertificateDer;
        }

        public byte[] GetCrl(string config)
        {
            Enter("GetCrl", config);
            lock (_lock)
            {
                var now = DateTimeOffset.UtcNow;
                return _signer.CreateCrl(1, now, now.AddDays(7), Rows.Where(r => r.Disposition == (int)CaDatabaseDisposition.Revoked)
                    .Select(r => new CrlRevocation(r.Serial!, new DateTimeOffset(r.RevokedEffectiveWhen!.Value, TimeSpan.Zero), (RevocationReason)r.RevokedReason!.Value)).ToList());
            }
        }

        public IEnumerable<CaDatabaseRow> ReadRows(string config, CaRowQuery query)
        {
            Enter("ReadRows", config);
            if (query.RevokedSince is DateTime since)
            {
                List<Row> revoked;
                lock (_lock) revoked = Rows.Where(r => r.Disposition == (int)CaDatabaseDisposition.Revoked && r.RevokedWhen >= since)
                    .OrderBy(r => r.RevokedWhen).ThenBy(r => r.RequestId).ToList();
                foreach (var row in revoked) yield return ToView(row);
                yield break;
            }
            for (int id = query.AfterRequestId + 1; id <= SyntheticRows; id++)
            {
                RowsRead++;
                yield return Synthetic(id);
            }
            List<Row> after;
            lock (_lock) after = Rows.Where(r => r.RequestId > query.AfterRequestId && r.Disposition is (int)CaDatabaseDisposition.Issued or (int)CaDatabaseDisposition.Revoked)
                .OrderBy(r => r.RequestId).ToList();
            foreach (var row in after)
            {
                RowsRead++;
                yield return ToView(row);
            }
        }

        /// <summary>The CA's clock for RevokedWhen; tests move it to put revocations at chosen instants.</summary>
        public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

        private CaDatabaseRow Synthetic(int id)
        {
            var der = (byte[])_syntheticTemplates![(int)Math.Min(ExpiryTemplates - 1, (id - 1L) * ExpiryTemplates / SyntheticRows)].Clone();
            BitConverter.GetBytes(id).CopyTo(der, _serialOffset + 12);
            System.Text.Encoding.ASCII.GetBytes(id.ToString("x8")).CopyTo(der, _nameOffset + 1);
            bool revoked = SyntheticRevokedEvery > 0 && id % SyntheticRevokedEvery == 0;
            var when = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(id);
            return new CaDatabaseRow
            {
                RequestId = id,
                Disposition = revoked ? (int)CaDatabaseDisposition.Revoked : (int)CaDatabaseDisposition.Issued,
                RawCertificate = der,
                Template = _templateOids["ContosoWeb"],
                RevokedWhen = revoked ? when : null,
                RevokedEffectiveWhen = revoked ? when : null,
                RevokedReason = revoked ? (int)RevocationReason.Superseded : null,
            };
        }

        private static CaDatabaseRow ToView(Row row) => new()
        {
            RequestId = row.RequestId,
            Disposition = row.Disposition,
            RawCertificate = row.Certificate,
            Template = row.Template,
            RevokedWhen = row.RevokedWhen,
            RevokedEffectiveWhen = row.RevokedEffectiveWhen,
            RevokedReason = row.RevokedReason,
            RequesterName = row.Requester,
        };

        private void Issue(Row row)
        {
            var info = CsrParser.Parse(row.Csr);
            var serial = CaSigner.NewSerial();
            var now = DateTimeOffset.UtcNow;
            row.Certificate = _signer.IssueFromRequest(info, new IssuancePolicy
            {
                SerialNumber = serial, NotBefore = now.AddMinutes(-10), NotAfter = now.AddYears(1), KeyUsage = 0xa0, EnhancedKeyUsages = new[] { Oids.ServerAuth },
            });
            row.Serial = CertificateReader.Read(row.Certificate).SerialNumber;
            row.Disposition = (int)CaDatabaseDisposition.Issued;
            row.Message = "Issued";
            row.LastStatus = 0;
        }

        private CaRequestResult Result(Row row)
        {
            int crDisp = row.Disposition switch
            {
                (int)CaDatabaseDisposition.Issued => 3,
                (int)CaDatabaseDisposition.Revoked => 6,
                (int)CaDatabaseDisposition.Pending => 5,
                (int)CaDatabaseDisposition.Denied => 2,
                _ => 2,
            };
            return new CaRequestResult(crDisp, row.RequestId, row.LastStatus, row.Message, row.Certificate,
                row.Certificate == null ? null : Pkcs7.CertificatesOnly(new[] { row.Certificate, _signer.CertificateDer }));
        }

        private Row Find(int requestId) =>
            Rows.FirstOrDefault(r => r.RequestId == requestId) ?? throw new COMException("Cannot find the request.", unchecked((int)0x80094004));

        private int NextId() => Math.Max(SyntheticRows, Rows.Count == 0 ? 0 : Rows.Max(r => r.RequestId)) + 1;

        private void Enter(string method, string config)
        {
            Calls.Add(method);
            if (_failures.TryGetValue(method, out var failure))
            {
                if (failure.AfterCalls == 0)
                {
                    _failures.Remove(method);
                    throw new COMException($"{method} failed.", failure.HResult);
                }
                _failures[method] = (failure.AfterCalls - 1, failure.HResult);
            }
            if (config != ExpectedConfig) throw new COMException("The RPC server is unavailable.", unchecked((int)0x800706BA));
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
            throw new InvalidOperationException("serial not found in the template certificate");
        }

        public void Dispose() { }
    }
}
