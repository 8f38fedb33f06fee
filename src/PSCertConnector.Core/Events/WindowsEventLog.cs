using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Events
{
    /// <summary>
    /// On Windows, events also go to the classic event log "PSCertConnector" (Applications and Services Logs), from the
    /// sources "PSCertConnector.Admin" and "PSCertConnector.Operational". Registering the sources needs an administrator,
    /// so New-CaHome -Scope Machine does it; where they are not registered (a user's home, no elevation) the JSON-lines
    /// file alone holds the events. Windows only: not exercised by this project's Linux CI. The calls into
    /// System.Diagnostics.EventLog sit in methods of their own, so that elsewhere that assembly is never loaded.
    /// </summary>
    internal static class WindowsEventLog
    {
        public const string LogName = "PSCertConnector";
        private static bool _unavailable = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static string SourceOf(EventChannel channel) => LogName + "." + channel;

        /// <summary>Registers both sources (an elevated session only); true when they exist afterwards.</summary>
        public static bool Register()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return false;
            RegisterSources();
            _unavailable = false;
            return true;
        }

        /// <summary>Writes the event when the sources are registered; after the first refusal it stops trying for this process.</summary>
        public static void Write(CaEvent entry)
        {
            if (_unavailable) return;
            try { WriteEntry(entry); }
            catch (Exception ex) when (ex is System.Security.SecurityException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception or System.IO.FileNotFoundException)
            {
                _unavailable = true; // the sources are not registered here (or this account may not write them)
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RegisterSources()
        {
            foreach (EventChannel channel in Enum.GetValues(typeof(EventChannel)))
                if (!System.Diagnostics.EventLog.SourceExists(SourceOf(channel)))
                    System.Diagnostics.EventLog.CreateEventSource(new System.Diagnostics.EventSourceCreationData(SourceOf(channel), LogName));
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void WriteEntry(CaEvent entry)
        {
            var type = entry.Level switch
            {
                EventLevel.Error => System.Diagnostics.EventLogEntryType.Error,
                EventLevel.Warning => System.Diagnostics.EventLogEntryType.Warning,
                _ => System.Diagnostics.EventLogEntryType.Information,
            };
            var text = entry.Message + (entry.Connector != null ? $"\r\nConnector: {entry.Connector}" : "") + (entry.Target != null ? $"\r\nTarget: {entry.Target}" : "")
                       + (entry.ErrorId != null ? $"\r\nError: {entry.ErrorId}" : "");
            System.Diagnostics.EventLog.WriteEntry(SourceOf(entry.Log), text, type, entry.Id);
        }
    }
}
