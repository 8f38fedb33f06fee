using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Connectors.Adcs
{
    /// <summary>
    /// AD CS Web Enrollment (/certsrv): submit, retrieve by request id (also a pending one after approval)
    /// and the CA certificate. The pages list no templates, so the template name is taken as given.
    /// </summary>
    public sealed class WebEnrollmentConnector : CaConnectorBase
    {
        public const string TypeName = "adcs-web";
        private readonly AdcsHttpChannel _channel;

        internal WebEnrollmentConnector(AdcsHttpChannel channel) => _channel = channel;

        private AdcsServiceSettings Settings => _channel.Settings;
        public override string Type => TypeName;

        public override ConnectorCapabilities Capabilities =>
            ConnectorCapabilities.Ping | ConnectorCapabilities.Enroll | ConnectorCapabilities.RetrievePending | ConnectorCapabilities.CaCertificates
            | ConnectorCapabilities.SignedRenewal;

        /// <summary>https://host:port/certsrv/ (or the path setting).</summary>
        public Uri BaseUri => new Uri(Settings.BaseUri, (Settings.Get("path") ?? "/certsrv").Trim('/') + "/");

        public override string? Route => _channel.RouteTo(BaseUri);

        public override ConnectorTestResult Test(CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            var page = _channel.Get(BaseUri, "Web Enrollment home page", cancellation);
            return new ConnectorTestResult(true, $"{BaseUri} answered: '{CertsrvCodec.Title(page.Text)}'.", watch.Elapsed);
        }

        public override SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation)
        {
            var reply = _channel.PostForm(new Uri(BaseUri, CertsrvCodec.SubmitPath), CertsrvCodec.SubmitForm(csrDer, template, attributes), "certificate request", cancellation);
            var page = CertsrvCodec.ReadSubmitPage(reply.Text);
            return page.Status == SubmitStatus.Issued && page.RequestId != null
                ? Retrieve(page.RequestId, cancellation)
                : ToResult(page);
        }

        public override SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation)
        {
            if (!long.TryParse(requestId, out var id) || id <= 0)
                throw new PscException("InvalidRequestId", FailureCategory.InvalidArgument, $"The request id '{requestId}' is not a positive number.") { Target = requestId };
            return Retrieve(requestId, cancellation);
        }

        public override CaCertificates GetCaCertificates(CancellationToken cancellation)
        {
            var renewals = CertsrvCodec.ReadRenewalCount(_channel.Get(new Uri(BaseUri, CertsrvCodec.CaRenewalsPath), "CA certificate page", cancellation).Text) ?? 0;
            var issuing = Pem.ReadPemOrDer(_channel.Get(new Uri(BaseUri, CertsrvCodec.CaCertificatePath(renewals, chain: false)), "CA certificate", cancellation).Body,
                "CA certificate", "CERTIFICATE");
            var chain = Pkcs7.ReadCertificatesPemOrDer(_channel.Get(new Uri(BaseUri, CertsrvCodec.CaCertificatePath(renewals, chain: true)), "CA chain", cancellation).Body, "CA chain")
                .Where(c => !c.AsSpan().SequenceEqual(issuing)).Select(c => new X509Certificate2(c)).ToList();
            return new CaCertificates(new X509Certificate2(issuing), chain);
        }

        private SubmitResult Retrieve(string requestId, CancellationToken cancellation)
        {
            var reply = _channel.Get(new Uri(BaseUri, CertsrvCodec.RetrievePath(requestId, chain: false)), "certificate", cancellation);
            if (!IsCertificate(reply))
            {
                var page = CertsrvCodec.ReadRetrievePage(reply.Text, requestId);
                if (page.HResult == unchecked((int)0x80094004))
                    throw new PscException("RequestNotFound", FailureCategory.ObjectNotFound,
                        $"The CA behind {BaseUri.Host} has no request {requestId}. {HResults.Describe(page.HResult)}") { Target = requestId };
                return ToResult(page);
            }
            var certificate = Pem.ReadPemOrDer(reply.Body, "issued certificate", "CERTIFICATE");
            var chainReply = _channel.Get(new Uri(BaseUri, CertsrvCodec.RetrievePath(requestId, chain: true)), "certificate chain", cancellation);
            var chain = Pkcs7.ReadCertificatesPemOrDer(chainReply.Body, "certificate chain").Where(c => !c.AsSpan().SequenceEqual(certificate)).ToList();
            return new SubmitResult
            {
                RequestId = requestId,
                Status = SubmitStatus.Issued,
                Disposition = RequestDisposition.Issued,
                DispositionMessage = "Issued",
                Certificate = certificate,
                Chain = chain,
            };
        }

        private static bool IsCertificate(HttpReply reply) =>
            reply.MediaType is "application/pkix-cert" or "application/x-x509-ca-cert" or "application/pkix-pkcs7" or "application/x-pkcs7-certificates"
            || (reply.Body.Length > 0 && reply.Body[0] == 0x30)
            || reply.Text.TrimStart().StartsWith("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);

        private static SubmitResult ToResult(CertsrvPage page) => new SubmitResult
        {
            RequestId = page.RequestId,
            Status = page.Status,
            Disposition = page.Status switch
            {
                SubmitStatus.Pending => RequestDisposition.UnderSubmission,
                SubmitStatus.Denied => RequestDisposition.Denied,
                SubmitStatus.Issued => RequestDisposition.Issued,
                _ => RequestDisposition.Error,
            },
            HResult = page.HResult,
            DispositionMessage = page.DispositionMessage,
        };

        public override void Dispose() => _channel.Dispose();
    }
}
