using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Connectors.Embedded
{
    /// <summary>
    /// A two-tier CA (root and issuing) that lives in a folder: its keys protected at rest, its own request
    /// database (requests, dispositions, revocations, a change sequence for incremental export), and a
    /// publication folder with its CRLs and certificates.
    /// </summary>
    public sealed class EmbeddedCertificateAuthority : IDisposable
    {
        private const int HResultAdminDenied = unchecked((int)0x80094014);
        private const int HResultKeyLength = unchecked((int)0x80094811);
        // CERTSRV_E_BAD_REQUESTSUBJECT: "The request subject name is invalid or too long."
        private const int HResultBadSubject = unchecked((int)0x80094001);
        private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

        private static readonly string[] Migrations =
        {
            @"CREATE TABLE requests (
                request_id INTEGER PRIMARY KEY AUTOINCREMENT,
                submitted_at TEXT NOT NULL,
                resolved_at TEXT,
                subject TEXT,
                template TEXT NOT NULL,
                csr BLOB NOT NULL,
                attributes TEXT,
                disposition INTEGER NOT NULL,
                disposition_message TEXT,
                hresult INTEGER NOT NULL DEFAULT 0,
                serial TEXT UNIQUE,
                certificate BLOB,
                not_after TEXT,
                revoked_at TEXT,
                revocation_reason INTEGER,
                change_seq INTEGER NOT NULL);
              CREATE INDEX ix_requests_change ON requests(change_seq);
              CREATE TABLE ca_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
            // 2: the client's submission id, committed with the request, so an interrupted submit can be matched to what the CA did.
            @"ALTER TABLE requests ADD COLUMN submission_id TEXT;
              CREATE INDEX ix_requests_submission ON requests(submission_id) WHERE submission_id IS NOT NULL;",
        };

        private readonly object _lock = new object();
        private readonly SqliteDatabase _db;
        private readonly CaSigner _signer;
        private readonly AsymmetricKey _issuingKey;
        private readonly EmbeddedCaSettings _settings;

        private EmbeddedCertificateAuthority(string folder, EmbeddedCaSettings settings, SqliteDatabase db,
            byte[] rootCert, byte[] issuingCert, AsymmetricKey issuingKey, ISecretProtector protector)
        {
            Folder = folder;
            _protector = protector;
            _settings = settings;
            _db = db;
            RootCertificate = rootCert;
            IssuingCertificate = issuingCert;
            _issuingKey = issuingKey;
            _signer = new CaSigner(issuingCert, issuingKey);
            _issuingNotAfter = CertificateReader.Read(issuingCert).NotAfter;
        }

        private readonly DateTimeOffset _issuingNotAfter;
        private readonly ISecretProtector _protector;

        public string Folder { get; }
        public string PublicationFolder => Path.Combine(Folder, "pub");
        public byte[] RootCertificate { get; }
        public byte[] IssuingCertificate { get; }
        public string CrlPath => Path.Combine(PublicationFolder, FileStem + ".crl");
        private string FileStem => SafeFileName(_settings.Name);
        public IReadOnlyList<CaTemplate> Templates => EmbeddedCaTemplates.All;

        /// <summary>
        /// Opens the CA in the folder. Only with <paramref name="allowCreate"/> (when its connector is created) are keys
        /// and certificates made: a CA whose files went missing is reported, never silently replaced.
        /// </summary>
        public static EmbeddedCertificateAuthority OpenOrCreate(string folder, ISecretProtector protector, EmbeddedCaSettings settings, bool allowCreate = true)
        {
            bool complete = File.Exists(Path.Combine(folder, "issuing.crt"));
            bool traces = Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any();
            if (!complete && (traces || !allowCreate))
                throw new PscException("EmbeddedCaMissing", FailureCategory.ObjectNotFound,
                    traces
                        ? $"The embedded CA in '{folder}' is incomplete (issuing.crt is missing). Restore the folder from backup; it is not recreated, because that would replace the CA's keys."
                        : $"The embedded CA folder '{folder}' does not exist. Restore it from backup, or point the connector's 'path' setting at it.")
                { Target = folder };
            bool folderExisted = Directory.Exists(folder);
            OwnerOnly.CreateFolder(folder);
            var db = SqliteDatabase.Open(Path.Combine(folder, "ca.db"), "embedded CA database", Migrations);
            try
            {
                var ca = File.Exists(Path.Combine(folder, "issuing.crt"))
                    ? Load(folder, protector, settings, db)
                    : Create(folder, protector, settings, db);
                return ca;
            }
            catch
            {
                db.Dispose();
                // A CA that could not be created leaves nothing behind: a half-made folder would block the name for good
                // (EmbeddedCaMissing) until someone deleted it by hand. An existing CA's folder is never touched.
                if (!complete) RemoveWhatCreationMade(folder, folderExisted);
                throw;
            }
        }

        /// <summary>Deletes the folder creation made, or only what it put into a folder that was there (empty) before.</summary>
        private static void RemoveWhatCreationMade(string folder, bool folderExisted)
        {
            try
            {
                if (!Directory.Exists(folder)) return;
                if (!folderExisted) { Directory.Delete(folder, recursive: true); return; }
                foreach (var file in Directory.GetFiles(folder)) File.Delete(file);
                foreach (var sub in Directory.GetDirectories(folder)) Directory.Delete(sub, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* the original error matters more */ }
        }

        private static EmbeddedCertificateAuthority Load(string folder, ISecretProtector protector, EmbeddedCaSettings settings, SqliteDatabase db)
        {
            try
            {
                var root = File.ReadAllBytes(Path.Combine(folder, "root.crt"));
                var issuing = File.ReadAllBytes(Path.Combine(folder, "issuing.crt"));
                var key = AsymmetricKey.ImportPkcs8(protector.Unprotect(File.ReadAllBytes(Path.Combine(folder, "issuing.key.protected"))));
                var ca = new EmbeddedCertificateAuthority(folder, settings, db, root, issuing, key, protector);
                ca.RepublishIfDue();
                return ca;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                       or NullReferenceException || CaSigner.IsUnreadableCertificate(ex))
            {
                throw new PscException("EmbeddedCaCorrupt", FailureCategory.InvalidData,
                    $"The embedded CA in '{folder}' is incomplete ({ex.Message}). Restore the folder from backup.", ex) { Target = folder };
            }
        }

        private static EmbeddedCertificateAuthority Create(string folder, ISecretProtector protector, EmbeddedCaSettings settings, SqliteDatabase db)
        {
            var now = DateTimeOffset.UtcNow;
            var algorithm = settings.KeyAlgorithm;
            // RSA: a 4096-bit root over a 2048-bit issuing CA (the common AD CS layout); EC: one curve for both.
            var (rootLength, issuingLength) = algorithm switch
            {
                KeyAlgorithm.EcdsaP256 => (256, 256),
                KeyAlgorithm.EcdsaP384 => (384, 384),
                _ => (4096, 2048),
            };
            using var rootKey = AsymmetricKey.Generate(algorithm, rootLength);
            var issuingKey = AsymmetricKey.Generate(algorithm, issuingLength);
            var stem = SafeFileName(settings.Name);
            var baseUrl = PublicationBase(folder, settings);
            const int CertSign = 0x04, CrlSign = 0x02, DigitalSignature = 0x80;

            var rootSubject = $"CN={settings.Name} Root CA,O=PSCertConnector Embedded CA";
            var rootCert = CaSigner.CreateSelfSigned(rootKey, rootSubject, new IssuancePolicy
            {
                NotBefore = now - ClockSkew,
                NotAfter = now.AddYears(20),
                KeyUsage = CertSign | CrlSign | DigitalSignature,
                IsCa = true,
                Hash = SignatureHash.Sha256,
            });
            var rootSigner = new CaSigner(rootCert, rootKey);
            var issuingCert = rootSigner.Issue($"CN={settings.Name} Issuing CA,O=PSCertConnector Embedded CA", issuingKey.PublicKeyInfo, new IssuancePolicy
            {
                SerialNumber = CaSigner.NewSerial(),
                NotBefore = now - ClockSkew,
                NotAfter = now.AddYears(10),
                KeyUsage = CertSign | CrlSign | DigitalSignature,
                IsCa = true,
                PathLength = 0,
                CrlDistributionPoints = new[] { baseUrl + stem + "-root.crl" },
                CaIssuerUrls = new[] { baseUrl + stem + "-root.crt" },
            });

            var pub = Path.Combine(folder, "pub");
            OwnerOnly.CreateFolder(pub);
            // The root's key signs only the issuing CA and the root CRL: publish that CRL for a year, then keep only the protected key.
            var rootCrl = rootSigner.CreateCrl(1, now, now.AddYears(1), Array.Empty<CrlRevocation>());
            WriteAtomically(Path.Combine(pub, stem + "-root.crl"), rootCrl);
            WriteAtomically(Path.Combine(pub, stem + "-root.crt"), rootCert);
            WriteAtomically(Path.Combine(pub, stem + ".crt"), issuingCert);
            WriteAtomically(Path.Combine(folder, "root.key.protected"), protector.Protect(rootKey.ExportPkcs8()));
            WriteAtomically(Path.Combine(folder, "issuing.key.protected"), protector.Protect(issuingKey.ExportPkcs8()));
            WriteAtomically(Path.Combine(folder, "root.crt"), rootCert);
            // issuing.crt last: its presence marks the CA as complete.
            WriteAtomically(Path.Combine(folder, "issuing.crt"), issuingCert);

            var ca = new EmbeddedCertificateAuthority(folder, settings, db, rootCert, issuingCert, issuingKey, protector);
            ca.PublishCrl();
            return ca;
        }

        private static string PublicationBase(string folder, EmbeddedCaSettings settings)
        {
            if (!string.IsNullOrWhiteSpace(settings.PublicationBaseUrl))
                return settings.PublicationBaseUrl!.EndsWith("/") ? settings.PublicationBaseUrl! : settings.PublicationBaseUrl + "/";
            return new Uri(Path.Combine(Path.GetFullPath(folder), "pub") + Path.DirectorySeparatorChar).AbsoluteUri;
        }

        /// <summary>
        /// Submits a request. Without <paramref name="templateName"/> the template comes from where AD CS looks for it:
        /// a CertificateTemplate attribute, then the request's template-name extension, then its template-OID extension.
        /// </summary>
        /// <param name="csr">A PKCS#10, or a renewal: a PKCS#7 SignedData wrapping one, signed with the certificate being renewed.</param>
        public SubmitResult Submit(byte[] csr, string? templateName, IReadOnlyDictionary<string, string> attributes)
        {
            byte[]? renewalSigner = null;
            if (SignedRenewalRequest.IsSignedData(csr)) (csr, renewalSigner) = SignedRenewalRequest.Open(csr);
            var info = CsrParser.Parse(csr);
            var requested = (string.IsNullOrWhiteSpace(templateName) ? null : templateName)
                ?? (attributes.TryGetValue("CertificateTemplate", out var attribute) && !string.IsNullOrWhiteSpace(attribute) ? attribute.Trim() : null)
                ?? info.RequestedTemplate
                ?? throw new PscException("NoCertificateTemplate", FailureCategory.InvalidArgument,
                    "The request contains no certificate template information (0x80094801): name one as the CertificateTemplate attribute or in the request's template extension.");
            var template = EmbeddedCaTemplates.Find(requested)
                ?? throw new PscException("TemplateNotSupported", FailureCategory.ObjectNotFound,
                    $"The CA '{_settings.Name}' does not offer the template '{requested}' (0x80094800). Offered: {string.Join(", ", Templates.Select(t => t.Name))}.")
                { Target = requested };
            lock (_lock)
            {
                var now = DateTimeOffset.UtcNow;
                var attributeText = string.Join("\n", attributes.Select(a => a.Key + ":" + a.Value));
                return _db.InTransaction(() =>
                {
                    long seq = NextChangeSequence();
                    attributes.TryGetValue(SubmissionLookup.AttributeName, out var submissionId);
                    _db.Execute(@"INSERT INTO requests (submitted_at, subject, template, csr, attributes, disposition, disposition_message, change_seq, submission_id)
                                  VALUES ($t, $s, $tpl, $csr, $a, $d, $m, $seq, $sub)",
                        ("$t", SqliteDatabase.Time(now)), ("$s", info.Subject), ("$tpl", template.Name), ("$csr", info.Der),
                        ("$a", attributeText), ("$d", (int)CaDatabaseDisposition.Pending), ("$m", "Taken Under Submission"), ("$seq", seq),
                        ("$sub", string.IsNullOrEmpty(submissionId) ? null : submissionId));
                    long id = (long)_db.Scalar("SELECT last_insert_rowid()")!;
                    if (info.KeyAlgorithm == KeyAlgorithm.Rsa && info.KeySize < template.MinimumKeySize)
                        return Resolve(id, CaDatabaseDisposition.Denied,
                            $"Denied by Policy Module: the public key ({info.KeySize} bits) is shorter than the template's minimum of {template.MinimumKeySize}.", HResultKeyLength);
                    if (string.IsNullOrEmpty(info.Subject) && info.SubjectAlternativeNames.Count == 0)
                        return Resolve(id, CaDatabaseDisposition.Denied, "Denied by Policy Module: the request has neither a subject nor a subject alternative name.", HResultBadSubject);
                    if (RequestPolicy.Violation(info, attributes) is { } violation)
                        return Resolve(id, CaDatabaseDisposition.Denied, "Denied by Policy Module: " + violation, HResultBadSubject);
                    // As AD CS with a template that validates re-enrollment by a previous approval: a renewal signed by a
                    // valid, unrevoked certificate this CA issued from the same template needs no manager's approval again.
                    if (template.RequiresApproval && !(renewalSigner != null && IssuedValidFromTemplate(renewalSigner, template, now)))
                        return ToResult(id);
                    return IssueRequest(id, template, info, now);
                });
            }
        }

        private SubmitResult IssueRequest(long id, CaTemplate template, CsrInfo info, DateTimeOffset now)
        {
            var notAfter = now + template.Validity;
            if (notAfter > _issuingNotAfter) notAfter = _issuingNotAfter;
            var keyUsage = template.KeyUsage;
            if (info.KeyAlgorithm != KeyAlgorithm.Rsa) keyUsage &= ~0x20; // EC keys cannot do key encipherment
            var stem = FileStem;
            var baseUrl = PublicationBase(Folder, _settings);
            var serialBytes = CaSigner.NewSerial();
            var cert = _signer.IssueFromRequest(info, new IssuancePolicy
            {
                SerialNumber = serialBytes,
                NotBefore = now - ClockSkew,
                NotAfter = notAfter,
                KeyUsage = keyUsage,
                EnhancedKeyUsages = template.ExtendedKeyUsages,
                CrlDistributionPoints = new[] { baseUrl + stem + ".crl" },
                CaIssuerUrls = new[] { baseUrl + stem + ".crt" },
                TemplateName = template.Name,
            });
            _db.Execute(@"UPDATE requests SET disposition = $d, disposition_message = 'Issued', hresult = 0, serial = $serial,
                          certificate = $c, not_after = $na, resolved_at = $t, change_seq = $seq WHERE request_id = $id",
                ("$d", (int)CaDatabaseDisposition.Issued), ("$serial", Hex.Encode(serialBytes)), ("$c", cert),
                ("$na", SqliteDatabase.Time(notAfter)), ("$t", SqliteDatabase.Time(now)), ("$seq", NextChangeSequence()), ("$id", id));
            return ToResult(id);
        }

        private bool IssuedValidFromTemplate(byte[] certificate, CaTemplate template, DateTimeOffset now)
        {
            var details = CertificateReader.Read(certificate);
            if (details.NotAfter <= now || details.NotBefore > now) return false;
            return _db.Query("SELECT template, disposition, certificate FROM requests WHERE serial = $s",
                    r => (Template: r.GetString(0), Disposition: (CaDatabaseDisposition)r.GetInt32(1), Der: r.IsDBNull(2) ? null : (byte[])r.GetValue(2)),
                    ("$s", details.SerialNumber))
                .Any(row => row.Disposition == CaDatabaseDisposition.Issued && row.Der != null && row.Der.SequenceEqual(certificate)
                            && string.Equals(row.Template, template.Name, StringComparison.OrdinalIgnoreCase));
        }

        private SubmitResult Resolve(long id, CaDatabaseDisposition disposition, string message, int hresult)
        {
            _db.Execute("UPDATE requests SET disposition = $d, disposition_message = $m, hresult = $h, resolved_at = $t, change_seq = $seq WHERE request_id = $id",
                ("$d", (int)disposition), ("$m", message), ("$h", hresult), ("$t", SqliteDatabase.Time(DateTimeOffset.UtcNow)),
                ("$seq", NextChangeSequence()), ("$id", id));
            return ToResult(id);
        }

        public SubmitResult GetRequest(long requestId)
        {
            lock (_lock) return ToResult(requestId);
        }

        /// <summary>The request a submission id became, or null when this CA never received it.</summary>
        public SubmitResult? FindSubmission(string submissionId)
        {
            lock (_lock)
            {
                var id = _db.Query("SELECT request_id FROM requests WHERE submission_id = $s ORDER BY request_id LIMIT 1", r => r.GetInt64(0),
                    ("$s", submissionId)).Cast<long?>().FirstOrDefault();
                return id.HasValue ? ToResult(id.Value) : null;
            }
        }

        /// <summary>Where the certificate with this serial stands (for servers that address certificates by serial).</summary>
        public SubmitResult GetBySerial(string serialNumber)
        {
            var serial = Hex.NormalizeSerial(serialNumber);
            lock (_lock) return ToResult(FindBySerial(serial).Id);
        }

        /// <summary>Issues a pending request (ICertAdmin::ResubmitRequest).</summary>
        public SubmitResult Approve(long requestId)
        {
            lock (_lock)
            {
                return _db.InTransaction(() =>
                {
                    var row = RequirePending(requestId, "approve");
                    var template = EmbeddedCaTemplates.Find(row.Template)!;
                    var info = CsrParser.Parse(row.Csr);
                    return IssueRequest(requestId, template, info, DateTimeOffset.UtcNow);
                });
            }
        }

        public SubmitResult Deny(long requestId)
        {
            lock (_lock)
            {
                return _db.InTransaction(() =>
                {
                    RequirePending(requestId, "deny");
                    return Resolve(requestId, CaDatabaseDisposition.Denied, "Denied by a CA manager", HResultAdminDenied);
                });
            }
        }

        /// <returns>False when the certificate already had this revocation, so nothing changed.</returns>
        public bool Revoke(string serialNumber, RevocationReason reason, DateTimeOffset? effectiveDate)
        {
            if (reason == RevocationReason.RemoveFromCrl)
            {
                ReleaseHold(serialNumber);
                return true;
            }
            var serial = Hex.NormalizeSerial(serialNumber);
            lock (_lock)
            {
                bool changed = _db.InTransaction(() =>
                {
                    var row = FindBySerial(serial);
                    var when = (effectiveDate ?? DateTimeOffset.UtcNow).ToUniversalTime();
                    // A revocation scheduled for later gives way to a key compromise or to an earlier date.
                    bool scheduled = row.RevokedAt > DateTimeOffset.UtcNow;
                    bool supersedes = scheduled && (reason == RevocationReason.KeyCompromise || when < row.RevokedAt);
                    bool revoked = row.Disposition == CaDatabaseDisposition.Revoked && row.Reason != RevocationReason.CertificateHold;
                    // The same revocation again (a rerun after a process was killed before it recorded the first) changes nothing and is not an error.
                    if (revoked && !supersedes && row.Reason == reason) return false;
                    if (revoked && !supersedes)
                        throw new PscException("AlreadyRevoked", FailureCategory.InvalidOperation, scheduled
                            ? $"The certificate with serial {serial} is already scheduled for revocation on {row.RevokedAt:u} ({row.Reason}); only a key compromise or an earlier date replaces that."
                            : $"The certificate with serial {serial} was already revoked on {row.RevokedAt:u} ({row.Reason}); only a certificate on hold can be revoked again.")
                        { Target = serial };
                    _db.Execute("UPDATE requests SET disposition = $d, revoked_at = $t, revocation_reason = $r, disposition_message = 'Revoked', change_seq = $seq WHERE serial = $s",
                        ("$d", (int)CaDatabaseDisposition.Revoked), ("$t", SqliteDatabase.Time(when)), ("$r", (int)reason),
                        ("$seq", NextChangeSequence()), ("$s", serial));
                    MarkCrlDue();
                    return true;
                });
                if (changed) PublishCrl();
                return changed;
            }
        }

        private const string CrlDueState = "crl_due";

        /// <summary>
        /// Set in the same transaction as a revocation or a release and cleared by the publication that includes it: a
        /// process killed between the two leaves the mark, and the next opening of the CA publishes what it missed.
        /// </summary>
        private void MarkCrlDue() => SetState(CrlDueState, "1");

        private void RepublishIfDue()
        {
            lock (_lock)
                if (State(CrlDueState) == "1" || !File.Exists(CrlPath)) PublishCrl();
        }

        /// <summary>Takes a certificate off hold (AD CS: revoke with reason 8 / unrevoke).</summary>
        public void ReleaseHold(string serialNumber)
        {
            var serial = Hex.NormalizeSerial(serialNumber);
            lock (_lock)
            {
                _db.InTransaction(() =>
                {
                    var row = FindBySerial(serial);
                    if (row.Disposition != CaDatabaseDisposition.Revoked || row.Reason != RevocationReason.CertificateHold)
                        throw new PscException("NotOnHold", FailureCategory.InvalidOperation,
                            $"The certificate with serial {serial} is not on hold (certificateHold), so it cannot be released.") { Target = serial };
                    _db.Execute("UPDATE requests SET disposition = $d, revoked_at = NULL, revocation_reason = NULL, disposition_message = 'Issued', change_seq = $seq WHERE serial = $s",
                        ("$d", (int)CaDatabaseDisposition.Issued), ("$seq", NextChangeSequence()), ("$s", serial));
                    MarkCrlDue();
                    return 0;
                });
                PublishCrl();
            }
        }

        /// <summary>
        /// Issued and revoked certificates changed after the cursor, in change order. The cursor is the CA's
        /// change sequence, so a revocation made after an import shows up in the next incremental import.
        /// </summary>
        public IssuedPage Enumerate(string? cursor, int batchSize)
        {
            if (batchSize <= 0) throw new PscException("InvalidBatchSize", FailureCategory.InvalidArgument, "The batch size must be at least 1.");
            long after = 0;
            if (!string.IsNullOrEmpty(cursor) && !long.TryParse(cursor, out after))
                throw new PscException("InvalidCursor", FailureCategory.InvalidArgument, $"The import watermark '{cursor}' is not one this CA wrote (expected a number).");
            lock (_lock)
            {
                var rows = _db.Query(@"SELECT request_id, template, certificate, revoked_at, revocation_reason, change_seq FROM requests
                                       WHERE change_seq > $after AND disposition IN (20, 21) ORDER BY change_seq LIMIT $limit",
                    r => (Item: new IssuedCertificate
                    {
                        RequestId = r.GetInt64(0).ToString(),
                        Template = r.GetString(1),
                        Certificate = (byte[])r.GetValue(2),
                        RevokedAt = r.TimeOrNull("revoked_at"),
                        RevocationReason = r.IsDBNull(4) ? null : (RevocationReason)r.GetInt32(4),
                    }, Seq: r.GetInt64(5)),
                    ("$after", after), ("$limit", batchSize + 1));
                bool more = rows.Count > batchSize;
                if (more) rows.RemoveAt(rows.Count - 1);
                var next = rows.Count > 0 ? rows[rows.Count - 1].Seq.ToString() : cursor;
                return new IssuedPage(rows.Select(r => r.Item).ToList(), next, more);
            }
        }

        /// <summary>Signs and publishes a new CRL with the next CRL number.</summary>
        public byte[] PublishCrl()
        {
            lock (_lock)
            {
                var now = DateTimeOffset.UtcNow;
                return _db.InTransaction(() =>
                {
                    long number = long.Parse(State("crl_number") ?? "0") + 1;
                    var revoked = _db.Query("SELECT serial, revoked_at, revocation_reason FROM requests WHERE disposition = 21 AND revoked_at <= $now",
                        r => new CrlRevocation(r.GetString(0), SqliteDatabase.ParseTime(r.GetString(1)), (RevocationReason)r.GetInt32(2)),
                        ("$now", SqliteDatabase.Time(now)));
                    // A revocation scheduled for later must reach relying parties when it takes effect: the next update is no
                    // later than that, and reading the CRL after it republishes (CurrentCrl).
                    var nextUpdate = now + _settings.CrlValidity;
                    if (_db.Scalar("SELECT MIN(revoked_at) FROM requests WHERE disposition = 21 AND revoked_at > $now", ("$now", SqliteDatabase.Time(now))) is string first
                        && SqliteDatabase.ParseTime(first) < nextUpdate)
                        nextUpdate = SqliteDatabase.ParseTime(first);
                    var crl = _signer.CreateCrl(number, now, nextUpdate, revoked,
                        new[] { PublicationBase(Folder, _settings) + FileStem + ".crt" });
                    SetState("crl_number", number.ToString());
                    SetState(CrlDueState, "0");
                    WriteAtomically(CrlPath, crl);
                    RenewRootCrlIfDue(now);
                    return crl;
                });
            }
        }

        private string RootCrlPath => Path.Combine(PublicationFolder, FileStem + "-root.crl");

        /// <summary>
        /// The root's CRL (it covers the issuing CA) is valid for a year; within 30 days of its next update it is
        /// re-signed with the next number, so revocation checks of the whole chain keep working.
        /// </summary>
        private void RenewRootCrlIfDue(DateTimeOffset now)
        {
            long number = 1;
            if (File.Exists(RootCrlPath))
            {
                var current = CrlReader.Read(File.ReadAllBytes(RootCrlPath));
                if (current.NextUpdate.HasValue && current.NextUpdate.Value > now.AddDays(30)) return;
                number = long.TryParse(current.CrlNumber, out var n) ? n + 1 : 1;
            }
            using var rootKey = AsymmetricKey.ImportPkcs8(_protector.Unprotect(File.ReadAllBytes(Path.Combine(Folder, "root.key.protected"))));
            WriteAtomically(RootCrlPath, new CaSigner(RootCertificate, rootKey).CreateCrl(number, now, now.AddYears(1), Array.Empty<CrlRevocation>()));
        }

        /// <summary>The CRL as published now (null when none is), without re-signing it.</summary>
        public byte[]? PublishedCrl()
        {
            lock (_lock) return File.Exists(CrlPath) ? File.ReadAllBytes(CrlPath) : null;
        }

        /// <summary>
        /// Publishes a new CRL when the published one has used half its validity (or a revocation awaits it), so relying
        /// parties that cache a CRL until its next update never hold a lapsed one. Returns the new CRL, or null when the
        /// published one is fresh enough.
        /// </summary>
        public byte[]? PublishCrlIfDue(DateTimeOffset now)
        {
            lock (_lock)
            {
                if (File.Exists(CrlPath) && State(CrlDueState) != "1")
                {
                    var current = CrlReader.Read(File.ReadAllBytes(CrlPath));
                    if (current.NextUpdate is { } next && now < current.ThisUpdate + TimeSpan.FromTicks((next - current.ThisUpdate).Ticks / 2)) return null;
                }
                return PublishCrl();
            }
        }

        /// <summary>The published CRL, re-signed first if it has passed its next-update time.</summary>
        public byte[] CurrentCrl()
        {
            lock (_lock)
            {
                if (File.Exists(CrlPath) && State(CrlDueState) != "1")
                {
                    var crl = File.ReadAllBytes(CrlPath);
                    var next = CrlReader.Read(crl).NextUpdate;
                    if (next.HasValue && next.Value > DateTimeOffset.UtcNow) return crl;
                }
                return PublishCrl();
            }
        }

        private long NextChangeSequence()
        {
            long next = long.Parse(State("change_seq") ?? "0") + 1;
            SetState("change_seq", next.ToString());
            return next;
        }

        private string? State(string key) => (string?)_db.Scalar("SELECT value FROM ca_state WHERE key = $k", ("$k", key));

        private void SetState(string key, string value) =>
            _db.Execute("INSERT INTO ca_state (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$k", key), ("$v", value));

        private sealed record RequestRow(long Id, string Template, byte[] Csr, CaDatabaseDisposition Disposition, RevocationReason? Reason, DateTimeOffset? RevokedAt);

        private RequestRow? FindRow(string where, (string, object?) parameter) =>
            _db.Query($"SELECT request_id, template, csr, disposition, revocation_reason, revoked_at FROM requests WHERE {where}",
                r => new RequestRow(r.GetInt64(0), r.GetString(1), (byte[])r.GetValue(2), (CaDatabaseDisposition)r.GetInt32(3),
                    r.IsDBNull(4) ? null : (RevocationReason)r.GetInt32(4), r.TimeOrNull("revoked_at")), parameter).FirstOrDefault();

        private RequestRow RequirePending(long requestId, string action)
        {
            var row = FindRow("request_id = $id", ("$id", requestId))
                ?? throw RequestNotFound(requestId);
            if (row.Disposition != CaDatabaseDisposition.Pending)
                throw new PscException("RequestNotPending", FailureCategory.InvalidOperation,
                    $"Request {requestId} cannot be {(action == "approve" ? "approved" : "denied")}: it is {row.Disposition}, not pending (0x80094003).")
                { Target = requestId.ToString() };
            return row;
        }

        private RequestRow FindBySerial(string serial) =>
            FindRow("serial = $s", ("$s", serial))
            ?? throw new PscException("CertificateNotFound", FailureCategory.ObjectNotFound,
                $"The CA '{_settings.Name}' has not issued a certificate with serial {serial}.") { Target = serial };

        private static PscException RequestNotFound(long id) =>
            new PscException("RequestNotFound", FailureCategory.ObjectNotFound, $"The CA has no request with id {id} (0x80094004).") { Target = id.ToString() };

        private SubmitResult ToResult(long requestId)
        {
            var result = _db.Query("SELECT disposition, disposition_message, hresult, certificate FROM requests WHERE request_id = $id",
                r =>
                {
                    var db = (CaDatabaseDisposition)r.GetInt32(0);
                    var disposition = Dispositions.ToRequestDisposition(db);
                    return new SubmitResult
                    {
                        RequestId = requestId.ToString(),
                        Disposition = disposition,
                        Status = Dispositions.ToStatus(disposition),
                        DispositionMessage = r.StringOrNull("disposition_message"),
                        HResult = r.GetInt32(2),
                        Certificate = r.BytesOrNull("certificate"),
                        Chain = r.IsDBNull(3) ? Array.Empty<byte[]>() : new[] { IssuingCertificate, RootCertificate },
                    };
                }, ("$id", requestId)).FirstOrDefault();
            return result ?? throw RequestNotFound(requestId);
        }

        // Keys, certificates and CRLs alike: the CA's folder is its owner's (serve or copy pub/ to publish it).
        internal static void WriteAtomically(string path, byte[] content) => AtomicFile.Write(path, content, ownerOnly: true);

        private static string SafeFileName(string name)
        {
            var sb = new StringBuilder();
            foreach (var c in name) sb.Append(char.IsLetterOrDigit(c) || c == '-' || c == '_' ? c : '-');
            return sb.ToString();
        }

        public void Dispose()
        {
            _db.Dispose();
            _issuingKey.Dispose();
        }
    }
}
