using System;
using System.Linq;
using PSCertConnector.Core.Events;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Reads the home's event log with filters (certconnector events, Get-CaEvent), newest first.</summary>
    public sealed class EventOperations : OperationBase
    {
        public EventOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        public void Read(EventQuery query)
        {
            if (query.Area != null && !EventIds.Areas.Contains(query.Area, StringComparer.OrdinalIgnoreCase))
                throw new PscException("InvalidEventArea", FailureCategory.InvalidArgument,
                    $"The area '{DisplayText.Escape(query.Area, 40)}' is not one of: {string.Join(", ", EventIds.Areas)}.") { Target = query.Area };
            if (query.Newest is < 1) throw new PscException("InvalidEventCount", FailureCategory.InvalidArgument, "The number of newest events to show should be 1 or more.");
            if (query.Since is { } since && query.Until is { } until && until < since)
                throw new PscException("InvalidEventRange", FailureCategory.InvalidArgument, $"The end of the range ({until:u}) is before its start ({since:u}).");
            var events = Workspace.Events.Read(query, out int unreadable);
            if (unreadable > 0)
                Sink.WriteWarning($"{unreadable} line{(unreadable == 1 ? "" : "s")} of the event log in '{Workspace.Events.Folder}' could not be read (a process stopped while writing it) and {(unreadable == 1 ? "was" : "were")} passed over.");
            foreach (var e in events) Sink.WriteObject(e);
        }
    }
}
