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

        /// <summary>Uses a private key kept in the inventory and clears its plain copy at once.</summary>
        protected T WithKeptKey<T>(string keyId, Func<Pkix.AsymmetricKey, T> use)
        {
            var material = Workspace.Store.GetRequestKeyMaterial(keyId)
                ?? throw new InvalidOperationException($"Request key {keyId} has no stored material.");
            try
            {
                using var key = Pkix.AsymmetricKey.ImportPkcs8(material);
                return use(key);
            }
            finally { Array.Clear(material, 0, material.Length); }
        }

        /// <returns>True when the work ran without error.</returns>
        protected bool ForItem(object? target, Action work)
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
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                Sink.WriteError(new PscError("StoreOrFileError", FailureCategory.WriteError, ex.Message, target) { Exception = ex });
            }
            return false;
        }
    }
}
