using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using PSCertConnector.Core;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// Every cmdlet's base: it owns the workspace, hands the operation a sink (objects, non-terminating errors with
    /// stable ids, warnings, progress, ShouldProcess) and cancels the operation on Ctrl+C. Its public surface names no
    /// Core type in its base or interfaces: PowerShell reads the exported types before any dependency resolver exists.
    /// </summary>
    public abstract class PscCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private Workspace? _workspace;
        private CmdletSink? _sink;

        /// <summary>Commands that only read say so: they never create the home folder or the inventory.</summary>
        protected virtual bool ReadsOnly => false;

        /// <summary>The store cmdlets: a shared store an older version made opens, to be shown and migrated.</summary>
        protected virtual bool AnySchemaVersion => false;

        protected Workspace Workspace => _workspace ??= WithLocation(ReadsOnly ? Workspace.OpenForReading() : Workspace.Open(anySchemaVersion: AnySchemaVersion));

        // PowerShell's current location is not the process's current folder: relative paths in settings are relative to it.
        private Workspace WithLocation(Workspace workspace)
        {
            workspace.WorkingFolder = GetUnresolvedProviderPathFromPSPath(".");
            return workspace;
        }

        private protected ICommandSink Sink => _sink ??= new CmdletSink(this);

        /// <summary>Runs the record's work; a condition that stops everything becomes a terminating error.</summary>
        protected void Run(Action work)
        {
            try { work(); }
            catch (PscException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); }
            catch (OperationCanceledException) { /* StopProcessing: PowerShell reports the stop itself */ }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                ThrowTerminatingError(ErrorRecords.From(new PscError("Unexpected" + ex.GetType().Name, FailureCategory.WriteError, ex.Message, null) { Exception = ex }));
            }
        }

        /// <summary>Writes an output object under the type name users see in Get-Member and the format views select on.</summary>
        protected void WriteOutput(object item) => WriteObject(OutputTypeNames.Wrap(item));

        protected override void StopProcessing() => _stop.Cancel();

        public void Dispose()
        {
            _workspace?.Dispose();
            _stop.Dispose();
        }

        /// <summary>The operation's view of the cmdlet.</summary>
        private sealed class CmdletSink : ICommandSink
        {
            private readonly PscCmdlet _cmdlet;
            public CmdletSink(PscCmdlet cmdlet) => _cmdlet = cmdlet;

            public CancellationToken Cancellation => _cmdlet._stop.Token;
            public void WriteObject(object item) => _cmdlet.WriteOutput(item);
            public void WriteError(PscError error) => _cmdlet.WriteError(ErrorRecords.From(error));
            // What operations say often quotes certificates, CAs and files: never a raw control character on the host.
            public void WriteWarning(string message) => _cmdlet.WriteWarning(DisplayText.Escape(message, PscException.MaxMessageLength));
            public void WriteVerbose(string message) => _cmdlet.WriteVerbose(DisplayText.Escape(message, PscException.MaxMessageLength));
            public bool ShouldProcess(string target, string action) => _cmdlet.ShouldProcess(target, action);

            public void WriteProgress(ProgressInfo progress)
            {
                var record = new ProgressRecord(progress.ActivityId, DisplayText.Escape(progress.Activity, 200), DisplayText.Escape(progress.Status, 200))
                {
                    PercentComplete = progress.PercentComplete,
                    RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                };
                _cmdlet.WriteProgress(record);
            }
        }

        internal static string? Plain(SecureString? secure)
        {
            if (secure == null) return null;
            IntPtr pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try { return Marshal.PtrToStringUni(pointer); }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
        }

        internal static byte[]? SecretBytes(PSCredential? credential, SecureString? apiKey)
        {
            if (credential != null) return Core.Store.ConnectorSecrets.EncodeAccount(credential.UserName, Plain(credential.Password) ?? "");
            var text = Plain(apiKey);
            return text == null ? null : System.Text.Encoding.UTF8.GetBytes(text);
        }

        /// <summary>How to reach the directory: a DC or domain, LDAPS, and a credential or (null) the current Kerberos identity.</summary>
        internal static DirectoryOptions DirectoryOptionsFor(string? server, int? port, bool useLdaps, PSCredential? credential) => new DirectoryOptions
        {
            Server = server,
            Port = port,
            UseLdaps = useLdaps,
            Credential = credential?.GetNetworkCredential(),
        };

        internal static Dictionary<string, string> ToSettings(Hashtable? table)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (table == null) return result;
            foreach (DictionaryEntry entry in table) result[entry.Key.ToString()!] = entry.Value?.ToString() ?? "";
            return result;
        }
    }
}
