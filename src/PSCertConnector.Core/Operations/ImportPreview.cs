namespace PSCertConnector.Core.Operations
{
    /// <summary>What an import would do (-WhatIf): certificates it would add, already stored ones it would refresh, ones its selection leaves out.</summary>
    /// <param name="Selection">The selection that applied, in words ("everything" when none).</param>
    public sealed record ImportPreview(string Connector, string Selection, int WouldAdd, int WouldRefresh, int LeftOut, int Unreadable);
}
