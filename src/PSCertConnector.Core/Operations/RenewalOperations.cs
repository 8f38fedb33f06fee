using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

using PSCertConnector.Core.Events;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// Renews certificates: a request with the predecessor's subject, SANs, key usage, EKUs and template goes to the
    /// connector that issued it (with failover), as an order linked to the predecessor; an issued successor is fetched
    /// into the inventory at once and linked, and only then is the predecessor revoked when asked.
    /// </summary>
    public sealed class RenewalOperations : OperationBase
    {
        /// <summary>The request attribute naming the renewed certificate: it makes each renewal's request its own.</summary>
        public const string RenewsAttribute = "PSCertConnectorRenews";

        private const string Activity = "Renewing certificates";
        private const int ProgressId = 3;

        public RenewalOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>Renews each certificate named; one that fails is an error for it and the others go on.</summary>
        /// <param name="total">How many are coming, when known (progress shows a share); null while streaming from a pipeline.</param>
        public void Renew(IEnumerable<CertificateSelector> selectors, RenewOptions options, int? total = null)
        {
            int done = 0;
            foreach (var selector in selectors) RenewNext(selector, options, done++, total);
            if (done > 1) FinishProgress(done, total);
        }

        /// <summary>
        /// One certificate of a stream (a pipeline): progress counts it as number <paramref name="position"/> + 1 of
        /// <paramref name="total"/> (unknown while streaming); <see cref="FinishProgress"/> closes the bar.
        /// </summary>
        public void RenewNext(CertificateSelector selector, RenewOptions options, int position, int? total)
        {
            if (total is null or > 1)
                Sink.WriteProgress(new ProgressInfo(ProgressId, Activity,
                    $"Certificate {selector} ({position + 1}{(total.HasValue ? " of " + total : "")})", total.HasValue ? position * 100 / total.Value : -1));
            ForItem(selector.ToString(), () => RenewOne(new InventoryOperations(Workspace, Sink).Find(selector), options),
                options.Unattended ? EventIds.RenewalFailedWillRetry : EventIds.RenewalFailed, selector.Connector);
        }

        public void FinishProgress(int done, int? total) =>
            Sink.WriteProgress(new ProgressInfo(ProgressId, Activity, $"{done} renewed or attempted{(total.HasValue ? " of " + total : "")}", 100, Completed: true));

        /// <summary>Renews every certificate due under its renewal policy (on one connector when given).</summary>
        public void RenewDue(string? connector, RenewOptions options)
        {
            if (connector != null) Workspace.RequireConnector(connector);
            var due = new InventoryOperations(Workspace, Sink).QueryWithRenewal(new CertificateQuery { Connector = connector, NeedsRenewal = true }).ToList();
            if (due.Count == 0) Sink.WriteVerbose("No certificate is due for renewal.");
            Renew(due.Select(c => new CertificateSelector(null, c.Thumbprint, c.Connector)), options, due.Count);
        }

        /// <summary>Renewing what is due and renewing named certificates are two different asks: refuses both at once.</summary>
        public static void CheckSelection(bool due, bool certificatesNamed)
        {
            bool powerShell = UserText.Face == UserFace.PowerShell;
            var dueOption = powerShell ? "-Due" : "--due";
            if (due && certificatesNamed)
                throw new PscException("DueWithCertificates", FailureCategory.InvalidArgument,
                    $"Renew either every certificate that is due ({dueOption}) or the certificates named, not both.");
            if (!due && !certificatesNamed)
                throw new PscException("CertificateSelectorMissing", FailureCategory.InvalidArgument,
                    $"Name the certificates to renew (serial numbers or thumbprints{(powerShell ? ", or pipe them from Get-CaCertificate" : "")}), or renew what is due with {dueOption}.");
        }

        private void RenewOne(CertificateRecord old, RenewOptions options)
        {
            if (old.RenewedBy != null)
                throw new PscException("AlreadyRenewed", FailureCategory.InvalidOperation,
                    $"Certificate {old.SerialNumber} ('{old.Subject}') was already renewed: its successor has thumbprint {old.RenewedBy}. Renew that one instead.") { Target = old.Thumbprint };
            if (old.Status == CertificateStatus.Revoked)
                throw new PscException("CertificateRevoked", FailureCategory.InvalidOperation,
                    $"Certificate {old.SerialNumber} ('{old.Subject}') is revoked ({old.RevocationReason}); a revoked certificate is not renewed. Request a new one instead.") { Target = old.Thumbprint };
            if (Workspace.Store.OpenRenewalOrder(old.Thumbprint) is { } open)
                throw new PscException("RenewalPending", FailureCategory.ResourceExists,
                    $"Certificate {old.SerialNumber} ('{old.Subject}') already has a renewal in progress: order {open.Id} is {open.Status}. " +
                    $"Refresh it ({UserText.Command($"order refresh {open.Id}", $"Get-AdcsOrder -Id {open.Id} -Refresh")}) instead of renewing again.") { Target = old.Thumbprint };

            var template = options.Template ?? old.Template ?? Workspace.Store.OrderOf(old)?.Template
                ?? throw new PscException("TemplateRequired", FailureCategory.InvalidArgument,
                    $"Certificate {old.SerialNumber} ('{old.Subject}') names no template and no order of it is kept; give the template (-Template / --template).") { Target = old.Thumbprint };
            var keyRecord = old.KeyId != null ? Workspace.Store.GetRequestKey(old.KeyId) : null;
            if (options.ReuseKey && (!old.HasPrivateKey || keyRecord == null))
                throw new PscException("KeyNotHeld", FailureCategory.InvalidOperation,
                    $"The private key of certificate {old.SerialNumber} ('{old.Subject}') is not kept in the inventory, so it cannot be reused; renew with a new key (leave out -ReuseKey / --reuse-key).") { Target = old.Thumbprint };

            var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [RenewsAttribute] = old.Thumbprint };
            var spec = RequestOperations.WithTemplate(RenewalSpec.FromCertificate(old.Der), template, null);
            spec = spec with
            {
                RequestAttributes = spec.RequestAttributes.Concat(attributes).ToDictionary(a => a.Key, a => a.Value),
                Exportable = keyRecord?.Exportable ?? false,
                MachineKeySet = keyRecord?.MachineKeySet ?? false,
                FriendlyName = keyRecord?.FriendlyName,
            };
            CsrBuilder.Validate(spec);
            if (!Sink.ShouldProcess($"certificate {old.SerialNumber} '{old.Subject}' on connector '{old.Connector}'",
                    $"Renew with template '{template}' and {(options.ReuseKey ? "the same key" : "a new key")}")) return;

            var csr = options.ReuseKey ? RequestWithKeptKey(spec, old.KeyId!) : RequestWithNewKey(spec);
            if (csr == null) return; // the request's error is already reported
            // AD CS and the embedded CA take a renewal signed with the old certificate's key (certreq's RenewalCert):
            // a valid certificate of a template that validates re-enrollment renews without a manager's approval again.
            bool signed = keyRecord != null && old.HasPrivateKey
                          && (Workspace.Connect(old.Connector).Capabilities & ConnectorCapabilities.SignedRenewal) != 0;
            if (signed) csr = SignedWithOldKey(csr, old);
            else Sink.WriteVerbose($"The renewal of {old.SerialNumber} is a plain request: " +
                                   (keyRecord == null ? "the old certificate's key is not kept here, so it cannot sign it." : $"connector '{old.Connector}' takes no signed renewals."));
            var submitted = new ConfirmedStepSink(Sink);
            var order = new OrderOperations(Workspace, submitted).Submit(old.Connector, template, csr, null, renews: old.Thumbprint);
            if (order == null) return; // the submit's error is already reported
            var result = new RenewalResult
            {
                Connector = order.Connector, Subject = old.Subject, CommonName = old.CommonName, Renews = old.Thumbprint, RenewsSerialNumber = old.SerialNumber,
                OrderId = order.Id, RequestId = order.RequestId, Status = order.Status, DispositionMessage = order.DispositionMessage,
                Template = order.Template, KeyReused = options.ReuseKey, SignedWithOldKey = signed,
            };
            if (order.Status is SubmitStatus.Issued or SubmitStatus.IssuedOutOfBand)
            {
                // Fetched and finished once: a maintenance pass that saw the order issued a moment ago may be at it already.
                var unit = FinishUnit(order.Id);
                if (!Workspace.Store.TryClaimWork(unit, "orders", order.Id, FinishLease, () => Workspace.Store.GetOrder(order.Id) is { FetchedAt: null }))
                {
                    Sink.WriteVerbose($"Order {order.Id} is being fetched by another process; it deploys the successor.");
                    Sink.WriteObject(result);
                    return;
                }
                try
                {
                    var fetched = new ConfirmedStepSink(Sink);
                    new OrderOperations(Workspace, fetched).Fetch(new[] { order });
                    if (fetched.Objects.OfType<CertificateRecord>().FirstOrDefault() is not { } successor) return;
                    result = CompleteAndRecord(order.Id, old, successor, result, options);
                }
                finally { Workspace.Store.ReleaseWork(unit); }
            }
            else
            {
                Event(EventIds.RenewalPending, EventChannel.Admin,
                    $"The renewal of certificate {old.SerialNumber} ('{old.Subject}') is order {order.Id}, {order.Status.ToString().ToLowerInvariant()}.", order.Connector, old.SerialNumber, outcome: EventOutcome.Info);
                Sink.WriteVerbose($"The renewal of {old.SerialNumber} is order {order.Id} ({order.Status}); it is linked to the certificate it renews.");
                if (options.RevokeOld)
                    Sink.WriteWarning($"Certificate {old.SerialNumber} is not revoked: its successor is not issued yet (order {order.Id} is {order.Status}). Revoke it once the order is fetched.");
            }
            Sink.WriteObject(result);
        }

        /// <summary>
        /// Finishes a renewal whose order was issued after it was submitted (approved later) and fetched since: the
        /// successor goes where the predecessor was, the post-renewal command runs, and the predecessor is revoked when asked.
        /// </summary>
        public RenewalResult? FinishFetched(OrderRecord order, CertificateRecord successor, RenewOptions options)
        {
            if (order.Renews == null) return null;
            var old = Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = order.Renews }).FirstOrDefault();
            if (old == null)
            {
                Workspace.Store.MarkRenewalFinished(order.Id); // the predecessor was removed from the inventory: nothing left to replace
                return null;
            }
            var result = new RenewalResult
            {
                Connector = order.Connector, Subject = old.Subject, CommonName = old.CommonName, Renews = old.Thumbprint, RenewsSerialNumber = old.SerialNumber,
                OrderId = order.Id, RequestId = order.RequestId, Status = order.Status, DispositionMessage = order.DispositionMessage, Template = order.Template,
            };
            result = CompleteAndRecord(order.Id, old, successor, result, options);
            Sink.WriteObject(result);
            return result;
        }

        /// <summary>The lease under which one process fetches an issued order and finishes its renewal.</summary>
        public static string FinishUnit(long orderId) => "fetch:" + orderId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public static readonly TimeSpan FinishLease = TimeSpan.FromMinutes(15);

        /// <summary>Deploys and runs the command; the renewal counts as finished only when every step of it succeeded, else the next pass tries again.</summary>
        private RenewalResult CompleteAndRecord(long orderId, CertificateRecord old, CertificateRecord successor, RenewalResult result, RenewOptions options)
        {
            var steps = new StepSink(Sink);
            var done = new RenewalOperations(Workspace, steps).Complete(old, successor, result, options);
            if (steps.Errors == 0) Workspace.Store.MarkRenewalFinished(orderId);
            else if (options.Unattended)
                Event(EventIds.RenewalFailedWillRetry, EventChannel.Admin,
                    $"The successor of {old.SerialNumber} ({successor.SerialNumber}) is issued, but {steps.Errors} of its deployment steps failed; the next maintenance pass tries them again.", result.Connector, old.SerialNumber);
            foreach (var item in steps.Objects) Sink.WriteObject(item);
            return done;
        }

        private RenewalResult Complete(CertificateRecord old, CertificateRecord successor, RenewalResult result, RenewOptions options)
        {
            result = result with { Thumbprint = successor.Thumbprint, SerialNumber = successor.SerialNumber, NotAfter = successor.NotAfter };
            result = result with { DeployedTo = DeployLikePredecessor(old, successor, options) };
            RunPostRenewal(result, options);
            if (options.RevokeOld) result = result with { PredecessorRevoked = RevokePredecessor(old, options.RevokeReason) };
            Event(EventIds.CertificateRenewed, EventChannel.Admin,
                $"Certificate {old.SerialNumber} ('{old.Subject}') was renewed by {result.SerialNumber}, valid until {result.NotAfter:u}" +
                (result.DeployedTo.Count > 0 ? $", deployed to {string.Join(", ", result.DeployedTo)}." : "."), result.Connector, old.SerialNumber);
            return result;
        }

        /// <summary>The successor goes where the predecessor was installed or exported; each place asks ShouldProcess and fails alone.</summary>
        private IReadOnlyList<string> DeployLikePredecessor(CertificateRecord old, CertificateRecord successor, RenewOptions options)
        {
            var deployed = new List<string>();
            var quiet = new SinkWithoutObjects(Sink);
            var selector = new CertificateSelector(null, successor.Thumbprint, successor.Connector);
            foreach (var place in Workspace.Store.GetDeployments(old.Thumbprint))
            {
                ForItem(place.Target, () =>
                {
                    if (place.Kind == DeploymentKind.Store)
                    {
                        var parts = place.Target.Split(new[] { '\\' }, 2);
                        var location = (StoreLocation)Enum.Parse(typeof(StoreLocation), parts[0]);
                        if (new InstallOperation(Workspace, quiet).Install(selector, location, parts[1]) != null) deployed.Add(place.Target);
                        return;
                    }
                    var format = (ExportFormat)Enum.Parse(typeof(ExportFormat), place.Format!);
                    if (format == ExportFormat.Pfx && string.IsNullOrEmpty(options.PfxPassword))
                        throw new PscException("DeploymentPasswordRequired", FailureCategory.InvalidArgument,
                            $"The old certificate was exported to the PFX file '{place.Target}'; give the password for its successor " +
                            $"({UserText.Command("renew --pfx-password-env VAR", "-PfxPassword")}) or it is not replaced.") { Target = place.Target };
                    var protection = place.Protection == null ? Pkcs12Protection.Modern : (Pkcs12Protection)Enum.Parse(typeof(Pkcs12Protection), place.Protection);
                    var file = new InventoryOperations(Workspace, quiet).ExportToFile(selector, format, place.IncludesChain, options.PfxPassword,
                        new ExportFileOptions { Path = place.Target, Overwrite = true, PfxProtection = protection });
                    if (file != null) deployed.Add(file.Path);
                });
            }
            return deployed;
        }

        private void RunPostRenewal(RenewalResult result, RenewOptions options)
        {
            if (options.PostRenewalCommand == null && options.PostRenewal == null) return;
            ForItem(result.Thumbprint, () =>
            {
                if (!Sink.ShouldProcess($"renewal of {result.RenewsSerialNumber} (new serial {result.SerialNumber})", "Run the post-renewal command")) return;
                if (options.PostRenewalCommand != null) PostRenewalCommand.Run(options.PostRenewalCommand, result, Sink.Cancellation);
                options.PostRenewal?.Invoke(result);
            });
        }

        private bool RevokePredecessor(CertificateRecord old, RevocationReason reason)
        {
            var revoked = new SinkWithoutObjects(Sink);
            var before = Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = old.Thumbprint }).Single();
            new InventoryOperations(Workspace, revoked).Revoke(new[] { new CertificateSelector(null, old.Thumbprint, old.Connector) }, reason, null);
            var after = Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = old.Thumbprint }).Single();
            return after.RevokedAt != null && before.RevokedAt == null;
        }

        private byte[] SignedWithOldKey(byte[] csr, CertificateRecord old) =>
            WithKeptKey(old.KeyId!, key => SignedRenewalRequest.Sign(csr, old.Der, key));

        private byte[]? RequestWithNewKey(RequestSpec spec) =>
            new RequestOperations(Workspace, new ConfirmedStepSink(Sink)).Build(spec)?.Csr;

        private byte[] RequestWithKeptKey(RequestSpec spec, string keyId) =>
            WithKeptKey(keyId, key => CsrBuilder.Build(spec with { KeyAlgorithm = key.Algorithm, KeyLength = key.KeySize }, key));

    }
}
