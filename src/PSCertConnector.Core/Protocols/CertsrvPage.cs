
namespace PSCertConnector.Core.Protocols
{
    /// <summary>What a /certsrv page said about a request.</summary>
    public sealed record CertsrvPage(SubmitStatus Status, string? RequestId, string? DispositionMessage, int HResult);
}
