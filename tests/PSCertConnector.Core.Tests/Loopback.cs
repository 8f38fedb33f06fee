namespace PSCertConnector.Tests
{
    /// <summary>Servers the tests start listen on 127.0.0.1, on a port nothing else holds.</summary>
    public static class Loopback
    {
        public static int FreePort()
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
