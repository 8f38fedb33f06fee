using System;
using System.IO;
using System.Linq;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Infrastructure;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// The Intune connector's PKCS flows. Issue: the key is made on this host, the request goes to any connector that
    /// enrolls, and the PFX is delivered behind a password or encrypted to a recipient; the key rests only encrypted (the
    /// inventory's protector) and is forgotten after delivery unless archived. Re-encrypt: an imported PFX is opened with
    /// its password or the key it was encrypted to, encrypted to a new recipient and recorded in the inventory.
    /// </summary>
    public sealed class PfxOperations : OperationBase
    {
        public PfxOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>Makes the key, enrolls, fetches and writes the PFX; a request that waits for approval keeps its key until <see cref="Deliver"/>.</summary>
        /// <param name="password">The PFX password; null when <paramref name="file"/> names a recipient.</param>
        /// <param name="archiveKey">Keep the key (encrypted) in the inventory after delivery, for recovery; otherwise it is forgotten.</param>
        public PfxIssuance? New(string connector, string? template, RequestSpec spec, ExportFileOptions file, string? password, bool archiveKey)
        {
            PfxIssuance? issued = null;
            ForItem(spec.Subject, () =>
            {
                CheckDelivery(file, password);
                var definition = Workspace.RequireService(connector);
                spec = UnderTemplatePolicy(definition, template, spec);
                if (!Sink.ShouldProcess($"PFX for '{spec.Subject}' from connector '{definition.Name}' to '{file.Path}'", "Make a key, enroll and write the PFX")) return;
                var step = new ConfirmedStepSink(Sink);
                var request = new RequestOperations(Workspace, step).Build(spec with { Exportable = true });
                if (request == null) return;
                var order = new OrderOperations(Workspace, step).Submit(connector, template, request.Csr);
                if (order == null)
                {
                    // Nothing reached the CA: the key is of no use. An order left in doubt (Unknown) keeps it, for the certificate the CA may still issue.
                    if (Workspace.Store.QueryOrders(new OrderQuery { Csr = request.Csr }).Count == 0) Workspace.Store.RemoveRequestKey(request.KeyId);
                    return;
                }
                if (order.Status != SubmitStatus.Issued)
                {
                    if (order.Status == SubmitStatus.Pending)
                        Sink.WriteWarning($"Order {order.Id} waits for a CA manager; its key is kept encrypted in the inventory until then. Once it is issued, " +
                            $"{UserText.Command($"pfx new --order {order.Id}", $"New-CaPfxCertificate -OrderId {order.Id}")} writes the PFX.");
                    else Workspace.Store.RemoveRequestKey(request.KeyId);
                    issued = new PfxIssuance { OrderId = order.Id, Connector = order.Connector, Status = order.Status, Subject = request.Subject, Message = order.DispositionMessage };
                    Sink.WriteObject(issued);
                    return;
                }
                issued = Write(order, file, password, archiveKey);
            }, EventIds.PfxFailed, connector);
            return issued;
        }

        /// <summary>
        /// The key is made as the template asks: an RSA key shorter than its minimum size is made at that size instead (and
        /// said so), since the CA would refuse the shorter one after the key had been made for nothing.
        /// </summary>
        private RequestSpec UnderTemplatePolicy(ConnectorDefinition definition, string? template, RequestSpec spec)
        {
            var name = template ?? Workspace.Connect(definition).DefaultTemplate;
            if (name == null || spec.KeyAlgorithm != KeyAlgorithm.Rsa) return spec;
            var known = new TemplateOperations(Workspace, Sink).Require(definition, name);
            if (spec.KeyLength >= known.MinimumKeySize) return spec;
            Sink.WriteWarning($"Template '{known.Name}' asks for RSA keys of at least {known.MinimumKeySize} bits; the key is made with {known.MinimumKeySize} bits instead of {spec.KeyLength}.");
            return spec with { KeyLength = known.MinimumKeySize };
        }

        /// <summary>Writes the PFX of an order made by <see cref="New"/> that has been issued since (refreshing it first).</summary>
        public PfxIssuance? Deliver(long orderId, ExportFileOptions file, string? password, bool archiveKey)
        {
            PfxIssuance? issued = null;
            ForItem(orderId, () =>
            {
                CheckDelivery(file, password);
                var operations = new OrderOperations(Workspace, new ConfirmedStepSink(Sink));
                var order = operations.RequireOrder(orderId);
                if (order.KeyId == null || Workspace.Store.GetRequestKey(order.KeyId) == null)
                    throw new PscException("PrivateKeyNotKept", FailureCategory.ObjectNotFound,
                        $"Order {orderId} has no key kept on this host: only an order made with {UserText.Command("pfx new", "New-CaPfxCertificate")} (or a request made here) can be delivered as a PFX.") { Target = orderId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                if (!Sink.ShouldProcess($"PFX of order {orderId} ('{order.CommonName}') to '{file.Path}'", "Write the PFX")) return;
                var step = new ConfirmedStepSink(Sink);
                if (order.Status == SubmitStatus.Pending) new OrderOperations(Workspace, step).Refresh(new[] { order });
                order = operations.RequireOrder(orderId);
                if (order.Status != SubmitStatus.Issued)
                    throw new PscException("OrderNotIssued", FailureCategory.InvalidOperation,
                        $"Order {orderId} ('{order.CommonName}') is {order.Status}: there is no certificate to deliver yet.") { Target = orderId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                issued = Write(order, file, password, archiveKey);
            }, EventIds.PfxFailed);
            return issued;
        }

        private PfxIssuance? Write(OrderRecord order, ExportFileOptions file, string? password, bool archiveKey)
        {
            var certificate = order.FetchedAt == null
                ? Step<CertificateRecord>(sink => new OrderOperations(Workspace, sink).Fetch(new[] { order }))
                : Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = order.Thumbprint }).SingleOrDefault();
            if (certificate == null) return null; // the step said why
            var written = Step<ExportedFile>(sink => new InventoryOperations(Workspace, sink)
                .ExportToFile(new CertificateSelector(null, certificate.Thumbprint, null), ExportFormat.Pfx, includeChain: true, password, file));
            if (written == null) return null;
            if (!archiveKey && certificate.KeyId != null) Workspace.Store.RemoveRequestKey(certificate.KeyId);
            var issuance = new PfxIssuance
            {
                OrderId = order.Id, Connector = order.Connector, Status = SubmitStatus.Issued, Subject = certificate.Subject, SerialNumber = certificate.SerialNumber,
                Thumbprint = certificate.Thumbprint, NotAfter = certificate.NotAfter, Path = written.Path, Protection = written.Protection, KeyArchived = archiveKey,
            };
            Event(EventIds.PfxIssued, EventChannel.Admin,
                $"The PFX of '{issuance.Subject}' (serial {issuance.SerialNumber}) was written to {issuance.Path}, protected by {issuance.Protection}; " +
                (archiveKey ? "its key stays archived, encrypted, in the inventory." : "its key is not kept."), order.Connector, order.Id);
            Sink.WriteObject(issuance);
            return issuance;
        }

        /// <summary>
        /// Opens an imported PFX (with its password, or, when it is a CMS envelope, with the key in <paramref name="recipientPfx"/>),
        /// encrypts it to <paramref name="file"/>'s recipient and records its certificate in the inventory as imported.
        /// </summary>
        /// <param name="recipientPfx">The PFX holding the certificate and key an enveloped input was encrypted to, and its password.</param>
        /// <param name="connector">The connector whose CA issued the certificate, recorded with it; "imported" when none is named.</param>
        public PfxReencryption? Reencrypt(string inputPath, string? password, (string Path, string Password)? recipientPfx, ExportFileOptions file, string? connector, bool archiveKey)
        {
            PfxReencryption? done = null;
            ForItem(inputPath, () =>
            {
                if (file.Recipient == null)
                    throw new PscException("RecipientRequired", FailureCategory.InvalidArgument,
                        $"Name the certificate to encrypt the PFX to ({UserText.Command("--to FILE", "-RecipientCertificate")}).");
                PfxEnvelope.RequireRsaRecipient(file.Recipient);
                OutputFile.Check(file.Path, file.Overwrite);
                if (!File.Exists(inputPath))
                    throw new PscException("FileNotFound", FailureCategory.ObjectNotFound, $"The PFX file '{inputPath}' does not exist.") { Target = inputPath };
                var input = File.ReadAllBytes(inputPath);
                byte[] pfx;
                string innerPassword;
                if (PfxEnvelope.IsEnvelope(input))
                {
                    if (recipientPfx is not { } holder)
                        throw new PscException("RecipientKeyRequired", FailureCategory.InvalidArgument,
                            $"'{inputPath}' is encrypted to a certificate, not a password: give the PFX with that certificate's key ({UserText.Command("--key-pfx FILE --key-password-env VAR", "-KeyPfxPath FILE -KeyPassword (Read-Host -AsSecureString)")}).") { Target = inputPath };
                    var (holderCertificate, _, holderKey) = PfxEnvelope.ReadPkcs12(File.ReadAllBytes(holder.Path), holder.Password, "key PFX");
                    using (holderKey) pfx = PfxEnvelope.Open(input, holderKey, holderCertificate);
                    innerPassword = "";
                }
                else
                {
                    if (password == null)
                        throw new PscException("PasswordRequired", FailureCategory.InvalidArgument,
                            $"'{inputPath}' is a PFX behind a password: give it ({UserText.Command("--password-env VAR or --password-file FILE", "-Password (Read-Host -AsSecureString)")}).") { Target = inputPath };
                    pfx = input;
                    innerPassword = password;
                }
                var (leaf, chain, key) = PfxEnvelope.ReadPkcs12(pfx, innerPassword, $"PFX '{Path.GetFileName(inputPath)}'");
                using (key)
                {
                    var details = CertificateReader.Read(leaf);
                    if (Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = details.ThumbprintSha1 }).FirstOrDefault() is { RevokedAt: not null } revoked)
                        throw new PscException("CertificateRevoked", FailureCategory.InvalidOperation,
                            $"The certificate in '{inputPath}' ('{details.Subject}', serial {details.SerialNumber}) was revoked ({revoked.RevocationReason}) on {revoked.RevokedAt:u}: it is not delivered to anyone.") { Target = inputPath };
                    if (!Sink.ShouldProcess($"PFX of '{details.Subject}' to '{file.Path}'", "Encrypt to a new recipient and record the certificate")) return;
                    var sealedPfx = PfxEnvelope.Seal(leaf, chain, key, details.CommonName, file.Recipient);
                    AtomicFile.Write(file.Path, sealedPfx, ownerOnly: true);
                    var source = connector ?? "imported";
                    Workspace.Store.InTransaction(() =>
                    {
                        if (archiveKey)
                            Workspace.Store.SaveRequestKey(new RequestKeyRecord
                            {
                                KeyId = key.KeyId, Subject = details.Subject, Algorithm = key.Algorithm, KeySize = key.KeySize, Exportable = true,
                                FriendlyName = details.CommonName, CreatedAt = DateTimeOffset.UtcNow,
                            }, key.ExportPkcs8());
                        // Inserted only: a certificate already in the inventory keeps what is known of it (its revocation above all).
                        Workspace.Store.UpsertCertificate(new InventoryStore.CertificateUpsert(leaf, source, CertificateSource.Imported, details.Template, null,
                            null, Array.Empty<string>(), null, null, InsertOnly: true));
                        return 0;
                    });
                    done = new PfxReencryption
                    {
                        Source = Path.GetFullPath(inputPath), Path = Path.GetFullPath(file.Path), Subject = details.Subject, SerialNumber = details.SerialNumber,
                        Thumbprint = details.ThumbprintSha1, NotAfter = details.NotAfter, Protection = file.DescribePfx(), KeyArchived = archiveKey, Connector = source,
                    };
                    Event(EventIds.PfxReencrypted, EventChannel.Admin,
                        $"The PFX of '{details.Subject}' (serial {details.SerialNumber}) from {done.Source} was encrypted to a new recipient in {done.Path}.", connector, details.SerialNumber);
                    Sink.WriteObject(done);
                }
            }, EventIds.PfxReencryptFailed, connector);
            return done;
        }

        /// <summary>Runs one confirmed step and returns the one object it wrote; null when it failed (its error is already reported).</summary>
        private T? Step<T>(Action<ICommandSink> run) where T : class
        {
            var step = new ConfirmedStepSink(Sink);
            run(step);
            return step.Errors > 0 ? null : step.Objects.OfType<T>().FirstOrDefault();
        }

        /// <summary>A password or a recipient, not both, and a file that may be written: checked before any key is made.</summary>
        private static void CheckDelivery(ExportFileOptions file, string? password)
        {
            if (file.Recipient != null && password != null)
                throw ExportFileOptions.PasswordAndRecipient();
            if (file.Recipient == null && string.IsNullOrEmpty(password))
                throw new PscException("PasswordRequired", FailureCategory.InvalidArgument,
                    $"A PFX needs a password ({UserText.Command("--password-env VAR or --password-file FILE", "-Password")}) or a recipient certificate ({UserText.Command("--to FILE", "-RecipientCertificate")}).");
            if (file.Recipient != null) PfxEnvelope.RequireRsaRecipient(file.Recipient);
            OutputFile.Check(file.Path, file.Overwrite);
        }
    }
}
