
namespace PSCertConnector.Core.Connectors.Dcom
{
    /// <summary>What ICertRequest::Submit/RetrievePending said: CR_DISP, request id, GetLastStatus, message, and the certificate when issued.</summary>
    public sealed record CaRequestResult(int Disposition, int RequestId, int LastStatus, string? DispositionMessage, byte[]? Certificate, byte[]? ChainPkcs7);
}
