using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    internal static class OrderResultExtensions
    {
        public static OrderRecord WithResult(this OrderRecord order, SubmitResult result) => order with
        {
            RequestId = result.RequestId ?? order.RequestId,
            Status = result.Status,
            DispositionMessage = result.DispositionMessage,
            HResult = result.HResult,
            Certificate = result.Certificate ?? order.Certificate,
            Chain = result.Chain.Count > 0 ? result.Chain : order.Chain,
            ReferenceUri = result.ReferenceUri ?? order.ReferenceUri,
            SerialNumber = result.Certificate != null ? CertificateReader.Read(result.Certificate).SerialNumber : order.SerialNumber,
            Thumbprint = result.Certificate != null ? CertificateReader.Read(result.Certificate).ThumbprintSha1 : order.Thumbprint,
        };
    }
}
