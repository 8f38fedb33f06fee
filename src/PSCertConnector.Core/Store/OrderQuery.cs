
namespace PSCertConnector.Core.Store
{
    public sealed record OrderQuery
    {
        public string? Connector { get; init; }
        public SubmitStatus? Status { get; init; }
        public long? Id { get; init; }
        public string? RequestId { get; init; }
        /// <summary>Orders of exactly this request (DER), to find an earlier submission of it.</summary>
        public byte[]? Csr { get; init; }
    }
}
