using System;
using System.IO;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// Shared behaviour of every operation: one item's failure is reported as a non-terminating error with a
    /// stable id and the next item goes on; cancellation is honoured between items.
    /// </summary>
    public abstract class OperationBase
    {
        protected OperationBase(Workspace workspace, ICommandSink sink)
        {
            Workspace = workspace;
            Sink = sink;
        }

        protected Workspace Workspace { get; }
        protected ICommandSink Sink { get; }

        /// <summary>Uses a private key kept in the inventory (its plain copy is cleared at once, the key disposed after use).</summary>
        protected T WithKeptKey<T>(string keyId, Func<Pkix.AsymmetricKey, T> use)
        {
            using var key = Workspace.KeptRequestKey(keyId) ?? throw new InvalidOperationException($"Request key {keyId} has no stored material.");
            return use(key);
        }

        /// <summary>Writes an event to the home's event log (see <see cref="Events.EventIds"/> for the ids).</summary>
        protected void Event(int id, Events.EventChannel log, string message, string? connector = null, object? target = null,
            string? errorId = null, Events.EventOutcome? outcome = null) =>
            Workspace.Events.Write(id, log, message, connector, target?.ToString(), errorId, outcome);

        /// <returns>True when the work ran without error.</returns>
        /// <param name="failureEvent">When given, a failure is also written to the Admin event log with this id.</param>
        protected bool ForItem(object? target, Action work, int? failureEvent = null, string? connector = null)
        {
            Sink.Cancellation.ThrowIfCancellationRequested();
            try
            {
                work();
                return true;
            }
            catch (PscException ex)
            {
                Sink.WriteError(ex, target);
                if (failureEvent is int id) Event(id, Events.EventChannel.Admin, ex.Message, connector, ex.Target ?? target, ex.ErrorId);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                Sink.WriteError(new PscError("StoreOrFileError", FailureCategory.WriteError, ex.Message, target) { Exception = ex });
                if (failureEvent is int id) Event(id, Events.EventChannel.Admin, ex.Message, connector, target, "StoreOrFileError");
            }
            return false;
        }
    }
}
