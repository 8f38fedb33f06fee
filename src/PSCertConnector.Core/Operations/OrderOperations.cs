using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Core.Infrastructure;

using PSCertConnector.Core.Events;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Submit requests and follow them: refresh pending ones, approve or deny, fetch what was issued.</summary>
    public sealed class OrderOperations : OperationBase
    {
        public OrderOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>
        /// Submits a request. The order is stored (Submitting, with a fresh submission id the CA keeps as a request
        /// attribute) before any CA is contacted, so a process killed while the CA works loses nothing: the next run
        /// matches the order to what the CA did (<see cref="ReconcileInterrupted"/>) instead of submitting again.
        /// </summary>
        /// <param name="renews">The SHA-1 thumbprint of the certificate this request renews: the order is linked to it.</param>
        public OrderRecord? Submit(string connectorName, string? template, byte[] csr, IReadOnlyDictionary<string, string>? attributes = null, string? renews = null)
        {
            OrderRecord? order = null;
            ForItem(connectorName, () =>
            {
                var definition = Workspace.RequireService(connectorName);
                // A signed renewal (PKCS#7 around the PKCS#10) is sent as it is; the order records the request inside.
                var signedRenewal = SignedRenewalRequest.IsSignedData(csr);
                var info = CsrParser.Parse(signedRenewal ? SignedRenewalRequest.Open(csr).Request : csr);
                var sending = signedRenewal ? csr : info.Der;
                if (attributes != null) RequestPolicy.EnforceAttributes(attributes);
                var requestedTemplate = template ?? info.RequestedTemplate ?? Workspace.Connect(definition).DefaultTemplate
                    ?? throw new PscException("TemplateRequired", FailureCategory.InvalidArgument,
                        "Name a template (-Template / --template): neither the command nor the request (its CertificateTemplate attribute or template extension) gives one.");
                var known = new TemplateOperations(Workspace, Sink).Require(definition, requestedTemplate);
                if (!Sink.ShouldProcess($"request for '{info.Subject}' to connector '{definition.Name}' with template '{known.Name}'", "Submit")) return;

                ReconcileInterrupted();
                if (EarlierSubmission(definition, info.Der) is { } earlier)
                {
                    // A retry of a submit that went through (a script rerun after its process was killed) gets the same order, not a second certificate.
                    Sink.WriteWarning($"This request was already submitted as order {earlier.Id} ({earlier.Status}, request {earlier.RequestId} on '{earlier.Connector}'); it is not sent again. " +
                        "For another certificate, make a new request.");
                    order = earlier;
                    Sink.WriteObject(earlier);
                    return;
                }
                var intent = Workspace.Store.AddOrder(new OrderRecord
                {
                    Connector = definition.Name,
                    Domain = definition.Domain,
                    Status = SubmitStatus.Submitting,
                    DispositionMessage = "Sent to the CA; its answer has not been recorded yet.",
                    CommonName = info.CommonName ?? info.SubjectAlternativeNames.FirstOrDefault()?.Value,
                    Template = known.Name,
                    KeyId = Workspace.Store.GetRequestKey(info.PublicKeyId) != null ? info.PublicKeyId : null,
                    Csr = info.Der,
                    SubmissionId = Guid.NewGuid().ToString("N"),
                    SubmittedBy = ProcessIdentity.Current,
                });
                if (renews != null)
                {
                    Workspace.Store.SetOrderRenews(intent.Id, renews);
                    intent = intent with { Renews = renews };
                }
                var sent = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var attribute in attributes ?? new Dictionary<string, string>()) sent[attribute.Key] = attribute.Value;
                sent[SubmissionLookup.AttributeName] = intent.SubmissionId!;

                SubmitResult result;
                ConnectorDefinition used;
                try
                {
                    (result, used) = ServiceFailover.Run(Workspace, Sink, definition, sameCaOnly: false,
                        connector => connector.Submit(sending, known.Name, sent, Sink.Cancellation));
                }
                catch (Exception ex) when (ex is PscException or OperationCanceledException)
                {
                    // The CA may still have acted: a timeout, a lost or unreadable answer, a stop by the user.
                    var found = Lookup(intent);
                    if (found.Result != null)
                    {
                        order = Record(intent, found.Result, found.Used!);
                        Sink.WriteWarning($"The submit of order {order.Id} failed ({ex.Message}), but the CA has the request: it is recorded as request {order.RequestId}.");
                        Sink.WriteObject(order);
                        return;
                    }
                    if (found.NotReceived || !SubmissionOutcome.MayHaveReachedCa(ex))
                        Workspace.Store.RemoveOrder(intent.Id);
                    else
                        Sink.WriteWarning(MarkUnknown(intent, $"The submit ended without an answer ({ex.Message}).").DispositionMessage!);
                    throw;
                }
                if (result.RequestId == null && result.Status is SubmitStatus.Failed or SubmitStatus.Incomplete)
                {
                    Workspace.Store.RemoveOrder(intent.Id);
                    throw new PscException("SubmitFailed", FailureCategory.InvalidOperation,
                        $"Connector '{used.Name}' did not accept the request: {result.DispositionMessage} {HResults.Describe(result.HResult)}");
                }
                order = AutoApprove(Record(intent, result, used), sent);
                ReportDisposition(order, refreshed: false);
                Sink.WriteObject(WithFindings(order));
            }, EnrollmentEvent(EventIds.RequestFailed, connectorName), connectorName);
            return order;
        }

        /// <summary>
        /// Settles Submitting orders whose process is gone: the CA's request when it can be found by submission id,
        /// Failed when the CA never received it, otherwise Unknown with what to check. Never resubmits.
        /// </summary>
        public void ReconcileInterrupted()
        {
            foreach (var order in Workspace.Store.QueryOrders(new OrderQuery { Status = SubmitStatus.Submitting }))
            {
                if (!ProcessIdentity.IsGone(order.SubmittedBy, order.CreatedAt)) continue;
                try { Settle(order, "The process submitting it stopped before the CA's answer was recorded."); }
                catch (PscException ex)
                {
                    Sink.WriteWarning($"Order {order.Id} was being submitted when its process stopped, and connector '{order.Connector}' cannot be asked about it now ({ex.Message}). It is settled on a later run.");
                }
            }
        }

        private OrderRecord Settle(OrderRecord order, string why)
        {
            var found = Lookup(order);
            if (found.Result != null)
            {
                var settled = Record(order, found.Result, found.Used!);
                Sink.WriteVerbose($"Order {order.Id}: {why} The CA has it as request {settled.RequestId} ({settled.Status}).");
                return settled;
            }
            if (found.NotReceived)
                return Workspace.Store.UpdateOrder(order with
                {
                    Status = SubmitStatus.Failed,
                    DispositionMessage = why + " The CA never received it, so nothing was issued; submit the request again.",
                });
            var unknown = MarkUnknown(order, why);
            Sink.WriteWarning(unknown.DispositionMessage!);
            return unknown;
        }

        private OrderRecord MarkUnknown(OrderRecord order, string why) =>
            Workspace.Store.UpdateOrder(order with
            {
                Status = SubmitStatus.Unknown,
                DispositionMessage = $"Order {order.Id}: {why} The CA '{order.Connector}' may have received it, and this connector type cannot look it up. " +
                    $"Look on the CA for a request from '{order.CommonName}' made around {order.CreatedAt:u} whose attribute {SubmissionLookup.AttributeName} is {order.SubmissionId}; " +
                    $"then remove this order ({UserText.Command($"order remove {order.Id}", $"Remove-AdcsOrder -Id {order.Id}")}) and submit again only if the CA has no such request.",
            });

        /// <summary>Asks each service that may have received the order's submission; stops at the first that has it.</summary>
        private (SubmitResult? Result, ConnectorDefinition? Used, bool NotReceived) Lookup(OrderRecord order)
        {
            var first = Workspace.Store.GetConnector(order.Connector);
            if (first == null || order.SubmissionId == null) return (null, null, false);
            bool allNotReceived = true;
            foreach (var candidate in ServiceFailover.Candidates(Workspace, first, sameCaOnly: false))
            {
                var answer = Workspace.Connect(candidate).FindSubmission(order.SubmissionId, Sink.Cancellation);
                if (answer.Result != null) return (answer.Result, candidate, false);
                allNotReceived &= !answer.Received;
            }
            return (null, null, allNotReceived);
        }

        private OrderRecord Record(OrderRecord order, SubmitResult result, ConnectorDefinition used) =>
            Workspace.Store.UpdateOrder(order.WithResult(result) with { Connector = used.Name, Domain = used.Domain });

        /// <summary>
        /// The order this same request (byte for byte) already has on this CA: Issued or Pending is returned; one still
        /// being submitted or in doubt refuses the submit, since sending it again is how duplicates are issued.
        /// </summary>
        private OrderRecord? EarlierSubmission(ConnectorDefinition definition, byte[] csr)
        {
            var connectors = new HashSet<string>(ServiceFailover.Candidates(Workspace, definition, sameCaOnly: false).Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
            var earlier = Workspace.Store.QueryOrders(new OrderQuery { Csr = csr })
                .Where(o => connectors.Contains(o.Connector)
                            && o.Status is SubmitStatus.Submitting or SubmitStatus.Unknown or SubmitStatus.Pending or SubmitStatus.Issued or SubmitStatus.IssuedOutOfBand)
                .OrderByDescending(o => o.Id).FirstOrDefault();
            return earlier?.Status switch
            {
                SubmitStatus.Submitting => throw new PscException("SubmissionInProgress", FailureCategory.InvalidOperation,
                    $"Order {earlier.Id} is submitting this same request to '{earlier.Connector}' right now (process {earlier.SubmittedBy}); wait for it instead of sending it twice.") { Target = earlier.Id.ToString() },
                SubmitStatus.Unknown => throw new PscException("SubmissionInDoubt", FailureCategory.ResourceExists,
                    $"This request was already sent as order {earlier.Id}, and whether the CA issued it is unknown. {earlier.DispositionMessage}") { Target = earlier.Id.ToString() },
                _ => earlier,
            };
        }

        public void List(OrderQuery query, bool refresh)
        {
            if (query.Connector != null) Workspace.RequireConnector(query.Connector);
            ReconcileInterrupted();
            var orders = Workspace.Store.QueryOrders(query);
            if (query.Id.HasValue && orders.Count == 0)
            {
                Sink.WriteError(new PscError("OrderNotFound", FailureCategory.ObjectNotFound, $"There is no order {query.Id}.", query.Id));
                return;
            }
            foreach (var order in orders)
            {
                if (refresh && order.Status == SubmitStatus.Pending) Refresh(new[] { order });
                else Sink.WriteObject(WithFindings(order));
            }
        }

        /// <summary>Asks the CA about each pending order and records what it says.</summary>
        /// <summary>How long a host may take to poll one pending order before another may poll it instead.</summary>
        private static readonly System.TimeSpan PollLease = System.TimeSpan.FromMinutes(2);

        public void Refresh(IEnumerable<OrderRecord> orders)
        {
            var list = orders.ToList();
            ReconcileInterrupted();
            for (int i = 0; i < list.Count; i++)
            {
                var order = list[i];
                ReportProgress("Refreshing orders", i, list.Count, $"Order {order.Id} ({order.CommonName})");
                ForItem(order.Id, () =>
                {
                    var current = RequireOrder(order.Id);
                    if (current.Status == SubmitStatus.Unknown)
                    {
                        // The CA may be reachable now (an embedded CA's database was locked, say): ask once more.
                        Sink.WriteObject(Settle(current, "Its submission was interrupted."));
                        return;
                    }
                    if (current.Status != SubmitStatus.Pending || current.RequestId == null)
                    {
                        Sink.WriteObject(current);
                        return;
                    }
                    // Hosts sharing the inventory poll each pending order once at a time: the one holding its lease asks the CA.
                    var unit = "order:" + current.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (!Workspace.Store.TryClaimWork(unit, "orders", current.Id, PollLease, () => RequireOrder(current.Id).Status == SubmitStatus.Pending))
                    {
                        Sink.WriteVerbose($"Order {current.Id} is being polled by another host, or was just settled; shown as stored.");
                        Sink.WriteObject(RequireOrder(current.Id));
                        return;
                    }
                    try
                    {
                        var result = AskAgain(current);
                        var updated = AutoApprove(Workspace.Store.UpdateOrder(current.WithResult(result)));
                        if (updated.Status != current.Status) ReportDisposition(updated, refreshed: true);
                        else Event(EnrollmentEvent(EventIds.PendingRequestStillPending, updated.Connector), EventChannel.Operational, $"Request {updated.RequestId} (order {updated.Id}, '{updated.CommonName}') is still pending on '{updated.Connector}'.",
                            updated.Connector, updated.Id, outcome: EventOutcome.Info);
                        Sink.WriteObject(WithFindings(updated));
                    }
                    finally { Workspace.Store.ReleaseWork(unit); }
                }, EnrollmentEvent(EventIds.PollFailedWillRetry, order.Connector), order.Connector);
            }
            ReportProgress("Refreshing orders", list.Count, list.Count, "Done", completed: true);
        }

        /// <param name="overFindings">Approve even a request the approval checks found something in (-Force); it is warned about and logged.</param>
        public void Approve(IEnumerable<OrderRecord> orders, bool overFindings = false) => Decide(orders, approve: true, overFindings);

        public void Deny(IEnumerable<OrderRecord> orders) => Decide(orders, approve: false, overFindings: false);

        /// <summary>What the approval checks find in a pending order, against its template as the connector reports it.</summary>
        /// <param name="mayAskCa">Fetch the templates from the CA when none are cached (approving); listings use the cache only.</param>
        public IReadOnlyList<ApprovalFinding> ReviewApproval(OrderRecord order, bool mayAskCa)
        {
            // An order outlives its connector (removing one keeps its orders): with the connector gone there is nothing to check against.
            var definition = Workspace.Store.GetConnector(order.Connector);
            if (definition == null) return Array.Empty<ApprovalFinding>();
            return ApprovalReview.Review(order.Csr, order.Template, TemplateOf(definition, order.Template, mayAskCa), ApprovalPolicy.For(definition));
        }

        /// <summary>How old cached templates may be when an approval relies on them: a template changed on the CA is seen within this.</summary>
        private static readonly TimeSpan TemplateCacheAgeForApproval = TimeSpan.FromHours(1);

        private CaTemplate? TemplateOf(ConnectorDefinition definition, string name, bool mayAskCa)
        {
            try
            {
                var templates = mayAskCa
                    ? new TemplateOperations(Workspace, new SinkWithoutObjects(Sink)).Load(definition, refresh: false, maxAge: TemplateCacheAgeForApproval)
                    : Workspace.Store.GetTemplates(definition);
                return TemplateOperations.FindIn(templates, name);
            }
            catch (PscException ex)
            {
                Sink.WriteVerbose($"The templates of '{definition.Name}' could not be read ({ex.Message}); the request is checked without them.");
                return null;
            }
        }

        /// <summary>A pending order as shown: with what the approval checks find in it.</summary>
        private OrderRecord WithFindings(OrderRecord order) =>
            order.Status == SubmitStatus.Pending && order.ApprovalFindings.Count == 0 ? order with { ApprovalFindings = ReviewApproval(order, mayAskCa: false) } : order;

        /// <summary>
        /// Approves a pending order by itself when its connector's autoApprove names the template, the connector can
        /// approve, and the request passes the approval checks; a request that trips one waits for a CA manager, said so.
        /// </summary>
        /// <param name="submittedAttributes">The attributes just sent with the request (at submission); null when refreshing.</param>
        private OrderRecord AutoApprove(OrderRecord order, IReadOnlyDictionary<string, string>? submittedAttributes = null)
        {
            if (order.Status != SubmitStatus.Pending || order.RequestId == null) return order;
            try { return TryAutoApprove(order, submittedAttributes); }
            catch (PscException ex)
            {
                // The order stays pending and is reported as it is: a failed automatic approval is not a failed submit or poll.
                var message = $"Request {order.RequestId} (order {order.Id}, '{order.CommonName}') on '{order.Connector}' could not be approved automatically: {ex.Message} It stays pending.";
                Sink.WriteWarning(message);
                Event(EventIds.AutoApprovalWithheld, EventChannel.Admin, message, order.Connector, order.Id, ex.ErrorId);
                return order;
            }
        }

        private OrderRecord TryAutoApprove(OrderRecord order, IReadOnlyDictionary<string, string>? submittedAttributes)
        {
            var definition = Workspace.RequireConnector(order.Connector);
            var policy = ApprovalPolicy.For(definition);
            if (policy.AutoApprovedTemplates.Count == 0) return order;
            var template = TemplateOf(definition, order.Template, mayAskCa: true);
            if (!policy.AutoApproves(order.Template, template?.Oid)) return order;
            var what = $"Request {order.RequestId} (order {order.Id}, '{order.CommonName}', template {order.Template}) on '{order.Connector}'";
            var connector = Workspace.Connect(definition);
            if ((connector.Capabilities & ConnectorCapabilities.Approve) == 0)
            {
                Sink.WriteWarning($"{what} waits for a CA manager: the connector's autoApprove names the template, but a '{definition.Type}' connector cannot approve requests.");
                return order;
            }
            var findings = ApprovalReview.Review(order.Csr, order.Template, template, policy, submittedAttributes);
            if (findings.Count > 0)
            {
                var message = $"{what} was not approved automatically: {string.Join(" ", findings.Select(f => f.ToString()))} A CA manager decides; approving it by hand takes {UserText.Command($"order approve {order.Id} --force", $"Approve-AdcsRequest -Id {order.Id} -Force")}.";
                Sink.WriteWarning(message);
                Event(EventIds.AutoApprovalWithheld, EventChannel.Admin, message, order.Connector, order.Id, "ApprovalChecksFailed");
                return order with { ApprovalFindings = findings };
            }
            if (!Sink.ShouldProcess($"request {order.RequestId} ('{order.CommonName}') on connector '{order.Connector}', as its autoApprove names template '{order.Template}'", "Approve automatically")) return order;
            var approved = Workspace.Store.UpdateOrder(order.WithResult(connector.Approve(order.RequestId!, Sink.Cancellation)));
            Event(EventIds.RequestAutoApproved, EventChannel.Admin,
                $"{what} was approved automatically: the connector's autoApprove names the template and the request passed the approval checks.", order.Connector, order.Id);
            Sink.WriteVerbose($"{what} was approved automatically.");
            return approved;
        }

        private void Decide(IEnumerable<OrderRecord> orders, bool approve, bool overFindings)
        {
            foreach (var order in orders)
            {
                ForItem(order.Id, () =>
                {
                    var current = RequireOrder(order.Id);
                    if (current.RequestId == null)
                        throw new PscException("OrderHasNoRequestId", FailureCategory.InvalidOperation, $"Order {current.Id} has no CA request id to act on.");
                    var connector = Workspace.Connect(current.Connector);
                    // Checked where the connector can approve (elsewhere its approval fails saying where to decide). A check that
                    // could not be made is warned about; a danger found takes -Force.
                    var all = approve && current.Status == SubmitStatus.Pending && (connector.Capabilities & ConnectorCapabilities.Approve) != 0
                        ? ReviewApproval(current, mayAskCa: true) : Array.Empty<ApprovalFinding>();
                    var findings = all.Where(f => !f.Inconclusive).ToList();
                    if (findings.Count > 0 && !overFindings)
                        throw new PscException("ApprovalChecksFailed", FailureCategory.InvalidOperation,
                            $"Request {current.RequestId} (order {current.Id}, '{current.CommonName}', template {current.Template}) was not approved: {string.Join(" ", findings.Select(f => f.ToString()))} " +
                            $"Look at the request; to approve it anyway: {UserText.Command($"order approve {current.Id} --force", $"Approve-AdcsRequest -Id {current.Id} -Force")}.") { Target = current.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                    if (!Sink.ShouldProcess($"request {current.RequestId} ('{current.CommonName}') on connector '{current.Connector}'" + (findings.Count > 0 ? $" despite {findings.Count} approval finding(s)" : ""), approve ? "Approve" : "Deny")) return;
                    foreach (var inconclusive in all.Where(f => f.Inconclusive))
                        Sink.WriteWarning($"Request {current.RequestId} (order {current.Id}) will be approved without the approval checks: {inconclusive.Message}");
                    SubmitResult result;
                    try
                    {
                        result = approve ? connector.Approve(current.RequestId, Sink.Cancellation) : connector.Deny(current.RequestId, Sink.Cancellation);
                    }
                    catch (PscException)
                    {
                        // Decided before (by an earlier run killed before it recorded the answer, or in the CA console): record it, do not fail.
                        // Asked here, not in an exception filter: during a filter the CA still holds its lock and open transaction.
                        var decided = AlreadyDecided(current, approve);
                        if (decided == null) throw;
                        result = decided;
                        Sink.WriteVerbose($"Request {current.RequestId} on '{current.Connector}' was already {result.Status.ToString().ToLowerInvariant()} on the CA.");
                    }
                    var updated = Workspace.Store.UpdateOrder(current.WithResult(result));
                    if (findings.Count > 0)
                    {
                        var message = $"Request {current.RequestId} (order {current.Id}, '{current.CommonName}', template {current.Template}) on '{current.Connector}' was approved by hand over the approval checks: {string.Join(" ", findings.Select(f => f.ToString()))}";
                        Sink.WriteWarning(message);
                        Event(EventIds.RequestApprovedOverFindings, EventChannel.Admin, message, current.Connector, current.Id);
                    }
                    if (updated.Status != current.Status) ReportDisposition(updated, refreshed: true, decidedHere: true);
                    Sink.WriteObject(updated);
                });
            }
        }

        /// <summary>
        /// Puts each issued order's certificate into the inventory (the Fetch action). A pending order is
        /// refreshed first, so that a certificate approved since the last look is fetched at once.
        /// </summary>
        public void Fetch(IEnumerable<OrderRecord> orders)
        {
            ReconcileInterrupted();
            foreach (var order in orders)
            {
                ForItem(order.Id, () =>
                {
                    var current = RequireOrder(order.Id);
                    if (!Sink.ShouldProcess($"certificate of order {current.Id} ('{current.CommonName}')", "Fetch into the inventory")) return;
                    if (current.Status == SubmitStatus.Pending && current.RequestId != null)
                        current = Workspace.Store.UpdateOrder(current.WithResult(AskAgain(current)));
                    if (current.Status is not (SubmitStatus.Issued or SubmitStatus.IssuedOutOfBand or SubmitStatus.Revoked) || current.Certificate == null)
                        throw new PscException("OrderNotIssued", FailureCategory.InvalidOperation,
                            $"Order {current.Id} ('{current.CommonName}') has no certificate to fetch: it is {current.Status}" +
                            (current.DispositionMessage != null ? $" ({current.DispositionMessage})." : "."))
                        { Target = current.Id.ToString() };
                    var definition = Workspace.Store.GetConnector(current.Connector);
                    var record = Workspace.Store.InTransaction(() =>
                    {
                        Workspace.Store.UpsertCertificate(new InventoryStore.CertificateUpsert(current.Certificate, current.Connector, CertificateSource.Enrolled,
                            current.Template, current.RequestId, definition?.BusinessUnit, definition?.Tags ?? Array.Empty<string>(), null, null, InsertOnly: true));
                        var details = CertificateReader.Read(current.Certificate);
                        Workspace.Store.UpdateOrder(current with { FetchedAt = DateTimeOffset.UtcNow, SerialNumber = details.SerialNumber, Thumbprint = details.ThumbprintSha1 });
                        Workspace.Store.MarkEnrolled(details.ThumbprintSha1);
                        if (current.Renews != null) Workspace.Store.LinkRenewal(details.ThumbprintSha1, current.Renews);
                        return Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = details.ThumbprintSha1 }).Single();
                    });
                    Event(EventIds.CertificateFetched, EventChannel.Operational,
                        $"The certificate of order {current.Id} ('{record.Subject}', serial {record.SerialNumber}) is in the inventory.", current.Connector, current.Id);
                    Sink.WriteObject(record);
                });
            }
        }

        public void Remove(IEnumerable<OrderRecord> orders)
        {
            foreach (var order in orders)
            {
                ForItem(order.Id, () =>
                {
                    var current = RequireOrder(order.Id);
                    if (!Sink.ShouldProcess($"order {current.Id} ('{current.CommonName}', request {current.RequestId} on '{current.Connector}')", "Remove")) return;
                    if (current.Status == SubmitStatus.Pending)
                        Sink.WriteWarning($"Order {current.Id} was still pending on the CA; removing it here does not cancel the request there.");
                    Workspace.Store.RemoveOrder(current.Id);
                });
            }
        }

        /// <summary>The orders these ids name; an id no order has is an error for that id, the others go on.</summary>
        public IReadOnlyList<OrderRecord> Select(IEnumerable<long> ids) => Collect(ids.Select(id => (Func<OrderRecord>)(() => RequireOrder(id))));

        /// <summary>The orders of these CA request ids on a connector; an unknown request id is an error for it, the others go on.</summary>
        public IReadOnlyList<OrderRecord> Select(string connector, IEnumerable<string> requestIds) =>
            Collect(requestIds.Select(requestId => (Func<OrderRecord>)(() => RequireOrder(connector, requestId))));

        /// <summary>Every order in a state (on one connector when given); with <paramref name="unfetchedOnly"/>, only those not yet fetched.</summary>
        public IReadOnlyList<OrderRecord> Select(SubmitStatus status, string? connector, bool unfetchedOnly = false) =>
            Workspace.Store.QueryOrders(new OrderQuery { Connector = connector, Status = status })
                .Where(o => !unfetchedOnly || o.FetchedAt == null).ToList();

        private List<OrderRecord> Collect(IEnumerable<Func<OrderRecord>> finds)
        {
            var orders = new List<OrderRecord>();
            foreach (var find in finds)
            {
                try { orders.Add(find()); }
                catch (PscException ex) { Sink.WriteError(ex); }
            }
            return orders;
        }

        public OrderRecord RequireOrder(long id) =>
            Workspace.Store.GetOrder(id) ?? throw new PscException("OrderNotFound", FailureCategory.ObjectNotFound, $"There is no order {id}.") { Target = id.ToString() };

        /// <summary>The order a CA request id names on a connector (as Approve-AdcsRequest -RequestId takes it).</summary>
        public OrderRecord RequireOrder(string connector, string requestId) =>
            Workspace.Store.QueryOrders(new OrderQuery { Connector = connector, RequestId = requestId }).FirstOrDefault()
            ?? throw new PscException("OrderNotFound", FailureCategory.ObjectNotFound,
                $"No order for request {requestId} on connector '{connector}' is tracked in the inventory.") { Target = requestId };

        /// <summary>The CA's answer when the request already has the outcome the approval or denial asks for.</summary>
        private SubmitResult? AlreadyDecided(OrderRecord order, bool approve)
        {
            SubmitResult now;
            try { now = AskAgain(order); }
            catch (PscException) { return null; }
            return (approve ? now.Status is SubmitStatus.Issued or SubmitStatus.IssuedOutOfBand : now.Status == SubmitStatus.Denied) ? now : null;
        }

        /// <summary>Asks the CA where a pending order stands, falling over to another service of the same CA.</summary>
        private SubmitResult AskAgain(OrderRecord order) =>
            ServiceFailover.Run(Workspace, Sink, Workspace.RequireConnector(order.Connector), sameCaOnly: true,
                connector => connector.GetRequest(order.RequestId!, order.ReferenceUri, Sink.Cancellation)).Result;

        /// <param name="refreshed">True when a pending order was asked about again, false right after its submission.</param>
        /// <param name="decidedHere">True when this user approved or denied it: the event is written, the warning is not.</param>
        private void ReportDisposition(OrderRecord order, bool refreshed, bool decidedHere = false)
        {
            var what = $"Request {order.RequestId} (order {order.Id}, '{order.CommonName}', template {order.Template}) on '{order.Connector}'";
            switch (order.Status)
            {
                case SubmitStatus.Pending:
                    Sink.WriteVerbose($"Request {order.RequestId} is pending CA-manager approval.");
                    Event(EnrollmentEvent(EventIds.RequestPending, order.Connector), EventChannel.Admin, what + " is pending CA-manager approval.", order.Connector, order.Id, outcome: EventOutcome.Info);
                    break;
                case SubmitStatus.Issued:
                case SubmitStatus.IssuedOutOfBand:
                    Event(EnrollmentEvent(refreshed ? EventIds.PendingRequestIssued : EventIds.RequestIssued, order.Connector), EventChannel.Admin,
                        what + (refreshed ? " was approved and issued." : " was issued."), order.Connector, order.Id);
                    break;
                case SubmitStatus.Denied:
                case SubmitStatus.Failed:
                    var message = $"{(order.RequestId != null ? "Request " + order.RequestId : "The request")} on '{order.Connector}' was {order.Status.ToString().ToLowerInvariant()}: {order.DispositionMessage} {HResults.Describe(order.HResult)}";
                    if (!decidedHere) Sink.WriteWarning(message);
                    Event(EnrollmentEvent(order.Status == SubmitStatus.Denied ? EventIds.RequestDenied : EventIds.RequestFailed, order.Connector), EventChannel.Admin,
                        what + $" was {order.Status.ToString().ToLowerInvariant()}: {order.DispositionMessage} {HResults.Describe(order.HResult)}".TrimEnd(),
                        order.Connector, order.Id, "Request" + order.Status);
                    break;
            }
        }

        /// <summary>An enrollment event's id for this connector: in the SCEP area (4xxx) for a SCEP transport, as the Intune connector logs them.</summary>
        private int EnrollmentEvent(int id, string connector)
        {
            var type = Workspace.Store.GetConnector(connector)?.Type;
            return type is Connectors.Scep.ScepConnectorType.TypeName or Connectors.Adcs.NdesConnectorType.TypeName ? EventIds.InScepArea(id) : id;
        }

        private void ReportProgress(string activity, int done, int total, string status, bool completed = false)
        {
            if (total < 2) return;
            Sink.WriteProgress(new ProgressInfo(2, activity, status, total == 0 ? 100 : done * 100 / total, completed));
        }
    }
}
