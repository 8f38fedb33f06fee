namespace PSCertConnector.Core.Operations
{
    /// <summary>What an import would do (-WhatIf): certificates it would add, ones already stored (their revocation is brought up to date), ones its selection leaves out.</summary>
    /// <param name="Selection">The selection that applied, in words ("everything" when none).</param>
    public sealed record ImportPreview(string Connector, string Selection, int WouldAdd, int AlreadyStored, int LeftOut, int Unreadable);
}
