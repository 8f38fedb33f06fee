using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

using PSCertConnector.Core.Events;

namespace PSCertConnector.Core.Operations
{
    public sealed class InventoryOperations : OperationBase
    {
        public InventoryOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        public void Query(CertificateQuery query)
        {
            if (query.Connector != null) Workspace.RequireConnector(query.Connector);
            foreach (var record in QueryWithRenewal(query)) Sink.WriteObject(record);
        }

        /// <summary>
        /// Certificates with the start of their renewal window; with <see cref="CertificateQuery.NeedsRenewal"/> only those
        /// past it (the limit applies after the policy, so a limited listing still holds due certificates only).
        /// </summary>
        public IEnumerable<CertificateRecord> QueryWithRenewal(CertificateQuery query)
        {
            var connectors = new Dictionary<string, ConnectorDefinition?>(StringComparer.OrdinalIgnoreCase);
            var now = DateTimeOffset.UtcNow;
            var found = Workspace.Store.QueryCertificates(query.NeedsRenewal ? query with { Limit = null } : query, now)
                .Select(record => WithRenewalWindow(record, connectors))
                .Where(record => !query.NeedsRenewal || record.RenewalDueFrom <= now);
            return query.NeedsRenewal && query.Limit.HasValue ? found.Take(query.Limit.Value) : found;
        }

        private CertificateRecord WithRenewalWindow(CertificateRecord record, Dictionary<string, ConnectorDefinition?> connectors)
        {
            if (!connectors.TryGetValue(record.Connector, out var connector))
                connectors[record.Connector] = connector = Workspace.Store.GetConnector(record.Connector);
            return record with { RenewalDueFrom = RenewalPolicy.For(connector, record.Template).DueFrom(record.NotBefore, record.NotAfter) };
        }

        public CertificateRecord Find(CertificateSelector selector)
        {
            if (selector.SerialNumber == null && selector.Thumbprint == null)
                throw new PscException("CertificateSelectorMissing", FailureCategory.InvalidArgument, "Name the certificate by serial number or thumbprint.");
            var found = QueryWithRenewal(new CertificateQuery
            {
                SerialNumber = selector.SerialNumber,
                Thumbprint = selector.Thumbprint,
                Connector = selector.Connector,
            }).ToList();
            if (found.Count == 0)
                throw new PscException("CertificateNotFound", FailureCategory.ObjectNotFound,
                    $"No certificate with {(selector.Thumbprint != null ? "thumbprint " + selector.Thumbprint : "serial " + selector.SerialNumber)} is in the inventory" +
                    (selector.Connector != null ? $" for connector '{selector.Connector}'" : "") + ". Import the CA's certificates first, or check the number.")
                { Target = selector.ToString() };
            if (found.Count > 1)
                throw new PscException("CertificateAmbiguous", FailureCategory.InvalidArgument,
                    $"Serial {selector.SerialNumber} is in the inventory for several CAs ({string.Join(", ", found.Select(f => f.Connector))}); name the connector.")
                { Target = selector.ToString() };
            return found[0];
        }

        /// <summary>Revokes through the connector that issued each certificate, then records it in the inventory.</summary>
        public void Revoke(IEnumerable<CertificateSelector> selectors, RevocationReason reason, DateTimeOffset? effectiveDate)
        {
            foreach (var selector in selectors)
            {
                ForItem(selector.ToString(), () =>
                {
                    var certificate = Find(selector);
                    var action = reason == RevocationReason.RemoveFromCrl ? "Release from hold" : $"Revoke ({reason})";
                    if (!Sink.ShouldProcess($"certificate {certificate.SerialNumber} '{certificate.Subject}' on connector '{certificate.Connector}'", action)) return;
                    Sink.WriteObject(RevokeOne(certificate, reason, effectiveDate, null));
                }, EventIds.RevocationFailed);
            }
        }

        /// <summary>
        /// One revocation (or release from hold) at the CA, recorded in the inventory and the event log; throws when the CA
        /// refuses or cannot be reached, so that a caller that retries (the revocation queue) can tell which.
        /// </summary>
        /// <param name="queued">The queue request this carries out, named in the event; null for a direct revocation.</param>
        internal CertificateRecord RevokeOne(CertificateRecord certificate, RevocationReason reason, DateTimeOffset? effectiveDate, long? queued)
        {
            var connector = Workspace.Connect(certificate.Connector);
            if (reason == RevocationReason.RemoveFromCrl)
            {
                connector.ReleaseHold(certificate.SerialNumber, Sink.Cancellation);
                Workspace.Store.SetRevocation(certificate.Id, null, null);
            }
            else
            {
                var when = effectiveDate ?? DateTimeOffset.UtcNow;
                connector.Revoke(certificate.SerialNumber, reason, when, Sink.Cancellation);
                // A repeated revocation keeps the date recorded the first time.
                if (certificate.RevocationReason != reason || certificate.RevokedAt == null)
                    Workspace.Store.SetRevocation(certificate.Id, when, reason);
            }
            var request = queued == null ? "" : $" (queued request {queued})";
            Event(EventIds.CertificateRevoked, EventChannel.Admin, reason == RevocationReason.RemoveFromCrl
                    ? $"Certificate {certificate.SerialNumber} ('{certificate.Subject}') was released from hold on '{certificate.Connector}'{request}."
                    : $"Certificate {certificate.SerialNumber} ('{certificate.Subject}') was revoked on '{certificate.Connector}' ({reason}){request}.",
                certificate.Connector, certificate.SerialNumber);
            return Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = certificate.Thumbprint }).Single();
        }

        /// <summary>PEM, DER or PFX. The chain comes from the issuing connector; the key only when it is kept and was requested exportable.</summary>
        /// <summary>
        /// Writes an export to a file: never over an existing file unless asked, through a temporary file so a reader never
        /// sees half of it, and readable by the owner only when it holds a private key.
        /// </summary>
        public ExportedFile? ExportToFile(CertificateSelector selector, ExportFormat format, bool includeChain, string? pfxPassword, ExportFileOptions file)
        {
            ExportedFile? written = null;
            var quiet = new SinkWithoutObjects(Sink);
            ForItem(file.Path, () =>
            {
                OutputFile.Check(file.Path, file.Overwrite);
                var exported = new InventoryOperations(Workspace, quiet).Export(selector, format, includeChain, pfxPassword, file.PfxProtection, file.Recipient);
                if (exported == null) return;
                if (!Sink.ShouldProcess(file.Path, $"Write {format.ToString().ToUpperInvariant()} of '{exported.Certificate.Subject}'")) return;
                // A replaced file keeps the mode its owner gave it (a service's group may read it); a new one holding a key is 0600.
                var keptMode = UnixFileModes.Get(file.Path);
                AtomicFile.Write(file.Path, exported.Content, ownerOnly: exported.IncludesPrivateKey);
                if (keptMode.HasValue) UnixFileModes.Set(file.Path, keptMode.Value);
                written = new ExportedFile
                {
                    Path = System.IO.Path.GetFullPath(file.Path), Format = format, Subject = exported.Certificate.Subject,
                    SerialNumber = exported.Certificate.SerialNumber, Thumbprint = exported.Certificate.Thumbprint, Connector = exported.Certificate.Connector,
                    IncludesChain = includeChain, IncludesPrivateKey = exported.IncludesPrivateKey,
                    Protection = format == ExportFormat.Pfx ? file.DescribePfx() : "", Length = exported.Content.Length,
                };
                Workspace.Store.RecordDeployment(new DeploymentRecord
                {
                    Thumbprint = exported.Certificate.Thumbprint, Kind = DeploymentKind.File, Target = written.Path, Format = format.ToString(),
                    IncludesChain = includeChain, Protection = format == ExportFormat.Pfx ? (file.Recipient != null ? "Recipient" : file.PfxProtection.ToString()) : null,
                });
                Sink.WriteObject(written);
            });
            return written;
        }

        /// <param name="recipient">For a PFX: encrypt it to this certificate instead of <paramref name="pfxPassword"/>.</param>
        public ExportedCertificate? Export(CertificateSelector selector, ExportFormat format, bool includeChain, string? pfxPassword,
            Pkcs12Protection pfxProtection = Pkcs12Protection.Modern, byte[]? recipient = null)
        {
            ExportedCertificate? result = null;
            ForItem(selector.ToString(), () =>
            {
                var certificate = Find(selector);
                var chain = includeChain || format == ExportFormat.Pfx ? Chain(certificate) : new List<byte[]>();
                switch (format)
                {
                    case ExportFormat.Der:
                        if (includeChain)
                            throw new PscException("ChainNotInDer", FailureCategory.InvalidArgument, "A DER file holds one certificate; use PEM or PFX to include the chain.");
                        result = new ExportedCertificate(certificate, format, certificate.Der, false);
                        break;
                    case ExportFormat.Pem:
                        var pem = new StringBuilder(Pem.Encode("CERTIFICATE", certificate.Der));
                        foreach (var c in chain) pem.Append(Pem.Encode("CERTIFICATE", c));
                        result = new ExportedCertificate(certificate, format, Encoding.ASCII.GetBytes(pem.ToString()), false);
                        break;
                    case ExportFormat.Pfx when recipient != null:
                        if (!string.IsNullOrEmpty(pfxPassword))
                            throw ExportFileOptions.PasswordAndRecipient();
                        var kept = certificate.KeyId == null ? null : Workspace.Store.GetRequestKey(certificate.KeyId);
                        if (kept == null)
                            throw new PscException("PrivateKeyNotKept", FailureCategory.ObjectNotFound,
                                $"No private key is kept for '{certificate.Subject}', so there is nothing to deliver to a recipient.") { Target = certificate.Thumbprint };
                        if (!kept.Exportable)
                            throw new PscException("KeyNotExportable", FailureCategory.PermissionDenied,
                                $"The private key of '{certificate.Subject}' was requested without Exportable = TRUE, so it is not delivered to anyone.") { Target = certificate.Thumbprint };
                        result = new ExportedCertificate(certificate, format,
                            WithKeptKey(kept.KeyId, key => PfxEnvelope.Seal(certificate.Der, chain, key, certificate.CommonName, recipient)), true);
                        break;
                    case ExportFormat.Pfx:
                        if (string.IsNullOrEmpty(pfxPassword))
                            throw new PscException("PasswordRequired", FailureCategory.InvalidArgument, "A PFX export needs a password (-Password / --password-env / --password-file).");
                        var keyRecord = certificate.KeyId == null ? null : Workspace.Store.GetRequestKey(certificate.KeyId);
                        if (keyRecord != null && !keyRecord.Exportable)
                            throw new PscException("KeyNotExportable", FailureCategory.PermissionDenied,
                                $"The private key of '{certificate.Subject}' was requested without Exportable = TRUE, so it is not exported. Export PEM or DER for the certificate alone.");
                        if (certificate.KeyId == null) Sink.WriteWarning($"No private key is kept for '{certificate.Subject}'; the PFX holds the certificate and chain only.");
                        byte[] Pfx(AsymmetricKey? key) => Pkcs12Writer.Write(certificate.Der, includeChain ? chain : new List<byte[]>(), key, pfxPassword!, certificate.CommonName, pfxProtection);
                        result = new ExportedCertificate(certificate, format, keyRecord == null ? Pfx(null) : WithKeptKey(keyRecord.KeyId, Pfx), keyRecord != null);
                        break;
                }
                Sink.WriteObject(result!);
            });
            return result;
        }

        private List<byte[]> Chain(CertificateRecord certificate)
        {
            var order = Workspace.Store.OrderOf(certificate);
            if (order != null && order.Chain.Count > 0) return order.Chain.ToList();
            var definition = Workspace.Store.GetConnector(certificate.Connector);
            if (definition == null) return new List<byte[]>();
            var connector = Workspace.Connect(definition);
            if ((connector.Capabilities & ConnectorCapabilities.CaCertificates) == 0) return new List<byte[]>();
            var ca = connector.GetCaCertificates(Sink.Cancellation);
            return new[] { ca.Issuing }.Concat(ca.Chain).Select(c => c.RawData).ToList();
        }
    }
}
