namespace PSCertConnector.Core.Events
{
    /// <summary>
    /// Admin holds one event per outcome an administrator acts on (issued, denied, import failed, pass summary);
    /// Operational holds the detail (each poll, each lease passed over, each notification).
    /// </summary>
    public enum EventChannel { Admin, Operational }
}
