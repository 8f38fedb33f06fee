using System;
using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Submit requests and follow them: refresh pending ones, approve or deny, fetch what was issued.</summary>
    public sealed class OrderOperations : OperationBase
    {
        public OrderOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        public OrderRecord? Submit(string connectorName, string? template, byte[] csr, IReadOnlyDictionary<string, string>? attributes = null)
        {
            OrderRecord? order = null;
            ForItem(connectorName, () =>
            {
                var definition = Workspace.RequireService(connectorName);
                var info = CsrParser.Parse(csr);
                var requestedTemplate = template ?? (info.Attributes.TryGetValue("CertificateTemplate", out var t) ? t : null)
                    ?? throw new PscException("TemplateRequired", FailureCategory.InvalidArgument,
                        "Name a template (-Template / --template): neither the command nor the request's CertificateTemplate attribute gives one.");
                var known = new TemplateOperations(Workspace, Sink).Require(definition, requestedTemplate);
                if (!Sink.ShouldProcess($"request for '{info.Subject}' to connector '{definition.Name}' with template '{known.Name}'", "Submit")) return;

                var (result, used) = ServiceFailover.Run(Workspace, Sink, definition, sameCaOnly: false,
                    connector => connector.Submit(info.Der, known.Name, attributes ?? new Dictionary<string, string>(), Sink.Cancellation));
                if (result.RequestId == null && result.Status is SubmitStatus.Failed or SubmitStatus.Incomplete)
                    throw new PscException("SubmitFailed", FailureCategory.InvalidOperation,
                        $"Connector '{used.Name}' did not accept the request: {result.DispositionMessage} {HResults.Describe(result.HResult)}");
                order = Workspace.Store.AddOrder(new OrderRecord
                {
                    Connector = used.Name,
                    Domain = used.Domain,
                    RequestId = result.RequestId,
                    CommonName = info.CommonName ?? info.SubjectAlternativeNames.FirstOrDefault()?.Value,
                    Template = known.Name,
                    KeyId = Workspace.Store.GetRequestKey(info.PublicKeyId) != null ? info.PublicKeyId : null,
                    Csr = info.Der,
                }.WithResult(result));
                ReportDisposition(order);
                Sink.WriteObject(order);
            });
            return order;
        }

        public void List(OrderQuery query, bool refresh)
        {
            if (query.Connector != null) Workspace.RequireConnector(query.Connector);
            var orders = Workspace.Store.QueryOrders(query);
            if (query.Id.HasValue && orders.Count == 0)
            {
                Sink.WriteError(new PscError("OrderNotFound", FailureCategory.ObjectNotFound, $"There is no order {query.Id}.", query.Id));
                return;
            }
            foreach (var order in orders)
            {
                if (refresh && order.Status == SubmitStatus.Pending) Refresh(new[] { order });
                else Sink.WriteObject(order);
            }
        }

        /// <summary>Asks the CA about each pending order and records what it says.</summary>
        public void Refresh(IEnumerable<OrderRecord> orders)
        {
            var list = orders.ToList();
            for (int i = 0; i < list.Count; i++)
            {
                var order = list[i];
                ReportProgress("Refreshing orders", i, list.Count, $"Order {order.Id} ({order.CommonName})");
                ForItem(order.Id, () =>
                {
                    var current = RequireOrder(order.Id);
                    if (current.Status != SubmitStatus.Pending || current.RequestId == null)
                    {
                        Sink.WriteObject(current);
                        return;
                    }
                    var result = AskAgain(current);
                    var updated = Workspace.Store.UpdateOrder(current.WithResult(result));
                    if (updated.Status != current.Status) ReportDisposition(updated);
                    Sink.WriteObject(updated);
                });
            }
            ReportProgress("Refreshing orders", list.Count, list.Count, "Done", completed: true);
        }

        public void Approve(IEnumerable<OrderRecord> orders) => Decide(orders, approve: true);

        public void Deny(IEnumerable<OrderRecord> orders) => Decide(orders, approve: false);

        private void Decide(IEnumerable<OrderRecord> orders, bool approve)
        {
            foreach (var order in orders)
            {
                ForItem(order.Id, () =>
                {
                    var current = RequireOrder(order.Id);
                    if (current.RequestId == null)
                        throw new PscException("OrderHasNoRequestId", FailureCategory.InvalidOperation, $"Order {current.Id} has no CA request id to act on.");
                    var connector = Workspace.Connect(current.Connector);
                    if (!Sink.ShouldProcess($"request {current.RequestId} ('{current.CommonName}') on connector '{current.Connector}'", approve ? "Approve" : "Deny")) return;
                    var result = approve ? connector.Approve(current.RequestId, Sink.Cancellation) : connector.Deny(current.RequestId, Sink.Cancellation);
                    var updated = Workspace.Store.UpdateOrder(current.WithResult(result));
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
                        return Workspace.Store.QueryCertificates(new CertificateQuery { Thumbprint = details.ThumbprintSha1 }).Single();
                    });
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

        public OrderRecord RequireOrder(long id) =>
            Workspace.Store.GetOrder(id) ?? throw new PscException("OrderNotFound", FailureCategory.ObjectNotFound, $"There is no order {id}.") { Target = id.ToString() };

        /// <summary>The order a CA request id names on a connector (as Approve-AdcsRequest -RequestId takes it).</summary>
        public OrderRecord RequireOrder(string connector, string requestId) =>
            Workspace.Store.QueryOrders(new OrderQuery { Connector = connector, RequestId = requestId }).FirstOrDefault()
            ?? throw new PscException("OrderNotFound", FailureCategory.ObjectNotFound,
                $"No order for request {requestId} on connector '{connector}' is tracked in the inventory.") { Target = requestId };

        /// <summary>Asks the CA where a pending order stands, falling over to another service of the same CA.</summary>
        private SubmitResult AskAgain(OrderRecord order) =>
            ServiceFailover.Run(Workspace, Sink, Workspace.RequireConnector(order.Connector), sameCaOnly: true,
                connector => connector.GetRequest(order.RequestId!, order.ReferenceUri, Sink.Cancellation)).Result;

        private void ReportDisposition(OrderRecord order)
        {
            switch (order.Status)
            {
                case SubmitStatus.Pending:
                    Sink.WriteVerbose($"Request {order.RequestId} is pending CA-manager approval.");
                    break;
                case SubmitStatus.Denied:
                case SubmitStatus.Failed:
                    Sink.WriteWarning($"{(order.RequestId != null ? "Request " + order.RequestId : "The request")} on '{order.Connector}' was {order.Status.ToString().ToLowerInvariant()}: {order.DispositionMessage} {HResults.Describe(order.HResult)}");
                    break;
            }
        }

        private void ReportProgress(string activity, int done, int total, string status, bool completed = false)
        {
            if (total < 2) return;
            Sink.WriteProgress(new ProgressInfo(2, activity, status, total == 0 ? 100 : done * 100 / total, completed));
        }
    }

    internal static class OrderResultExtensions
    {
        public static OrderRecord WithResult(this OrderRecord order, SubmitResult result) => order with
        {
            RequestId = result.RequestId ?? order.RequestId,
            Status = result.Status,
            DispositionMessage = result.DispositionMessage,
            HResult = result.HResult,
            Certificate = result.Certificate ?? order.Certificate,
            Chain = result.Chain.Count > 0 ? result.Chain : order.Chain,
            ReferenceUri = result.ReferenceUri ?? order.ReferenceUri,
            SerialNumber = result.Certificate != null ? CertificateReader.Read(result.Certificate).SerialNumber : order.SerialNumber,
            Thumbprint = result.Certificate != null ? CertificateReader.Read(result.Certificate).ThumbprintSha1 : order.Thumbprint,
        };
    }

}
