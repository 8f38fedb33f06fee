using System;
using System.Threading;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>How a SCEP connector reaches its server: GETs and binary POSTs with the transport's identity and error translation.</summary>
    public interface IScepChannel : IDisposable
    {
        HttpReply Get(Uri uri, string what, CancellationToken cancellation);
        HttpReply Post(Uri uri, byte[] body, string contentType, string what, CancellationToken cancellation);
        string RouteTo(Uri target);
    }
}
