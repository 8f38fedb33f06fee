using System;
using System.Management.Automation;
using PSCertConnector.Core.Events;
using PSCertConnector.Core.Operations;

namespace PSCertConnector.Commands
{
    /// <summary>Reads the event log of the home, newest first, with filters.</summary>
    [Cmdlet(VerbsCommon.Get, "CaEvent")]
    [OutputType(typeof(CaEvent))]
    public sealed class GetCaEventCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0)] [ValidateRange(0, 9999)] public int[] Id { get; set; } = new int[0];
        /// <summary>This level or worse.</summary>
        [Parameter] public EventLevel? Level { get; set; }
        [Parameter] public EventChannel? Log { get; set; }
        [Parameter] [ValidateSet("General", "Enrollment", "Import", "Revocation", "Scep", "Renewal", "Notification", "Maintenance", IgnoreCase = true)]
        public string? Area { get; set; }
        [Parameter] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }
        [Parameter] public DateTime? After { get; set; }
        [Parameter] public DateTime? Before { get; set; }
        [Parameter] [ValidateRange(1, int.MaxValue)] public int Newest { get; set; } = 50;

        protected override void ProcessRecord() => Run(() => new EventOperations(Workspace, Sink).Read(new EventQuery
        {
            Ids = Id, Level = Level, Log = Log, Area = Area, Connector = Connector, Newest = Newest,
            Since = After.HasValue ? new DateTimeOffset(After.Value.ToUniversalTime()) : null,
            Until = Before.HasValue ? new DateTimeOffset(Before.Value.ToUniversalTime()) : null,
        }));
    }
}
