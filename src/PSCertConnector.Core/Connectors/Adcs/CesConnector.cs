using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Connectors.Adcs
{
    /// <summary>
    /// AD CS through the Certificate Enrollment Policy (MS-XCEP) and Enrollment (MS-WSTEP) web services:
    /// templates from CEP, enrollment and pending-request polling through CES. CES cannot approve, deny,
    /// revoke or enumerate: a CA manager decides pending requests on the CA itself.
    /// </summary>
    public sealed class CesConnector : CaConnectorBase
    {
        public const string TypeName = "adcs-ces";
        private readonly AdcsHttpChannel _channel;
        private readonly object _policyLock = new();
        private XcepPolicyResponse? _policy;

        internal CesConnector(AdcsHttpChannel channel) => _channel = channel;

        private AdcsServiceSettings Settings => _channel.Settings;
        public override string Type => TypeName;

        public override ConnectorCapabilities Capabilities =>
            ConnectorCapabilities.Ping | ConnectorCapabilities.Templates | ConnectorCapabilities.Enroll
            | ConnectorCapabilities.RetrievePending | ConnectorCapabilities.CaCertificates | ConnectorCapabilities.SignedRenewal;

        /// <summary>The CEP endpoint: the cepUrl setting, or the AD policy provider path for the authentication.</summary>
        public Uri PolicyUri => Settings.Get("cepUrl") is { } url ? new Uri(url)
            : new Uri(Settings.BaseUri, "ADPolicyProvider_CEP_" + AdcsXml.EndpointSuffix(Settings.Authentication) + "/service.svc/CEP");

        /// <summary>
        /// The CES endpoint: the cesUrl setting; else built from caName; else the CEP's best URI for our
        /// authentication (ascending priority, renewal-only skipped).
        /// </summary>
        public Uri EnrollmentUri(CancellationToken cancellation)
        {
            if (Settings.Get("cesUrl") is { } url) return new Uri(url);
            if (Settings.Get("caName") is { } ca)
                return new Uri(Settings.BaseUri, Uri.EscapeDataString(ca) + "_CES_" + AdcsXml.EndpointSuffix(Settings.Authentication) + "/service.svc/CES");
            var candidates = Policy(cancellation, refresh: false).EnrollmentUris(Settings.Authentication);
            if (candidates.Count == 0)
                throw new PscException("NoEnrollmentService", FailureCategory.ObjectNotFound,
                    $"The enrollment policy at {PolicyUri.Host} lists no CES URI for {Settings.Authentication} authentication. " +
                    "Set the connector's cesUrl or caName setting.") { Target = Settings.Connector };
            // Credentials only go where the connector was pointed: a CES on another host must be named explicitly.
            var onOurHost = candidates.FirstOrDefault(c => string.Equals(c.Uri.Uri.Host, PolicyUri.Host, StringComparison.OrdinalIgnoreCase) && c.Uri.Uri.Scheme == Uri.UriSchemeHttps);
            if (onOurHost.Uri == null)
                throw new PscException("EnrollmentServiceOnOtherHost", FailureCategory.SecurityError,
                    $"The enrollment policy at {PolicyUri.Host} sends enrollment to {candidates[0].Uri.Uri}, another host. Credentials are only sent to the host " +
                    $"the connector names: if that service is trusted, set --setting cesUrl={candidates[0].Uri.Uri.AbsoluteUri}.") { Target = Settings.Connector };
            return onOurHost.Uri.Uri;
        }

        public override string? Route => _channel.RouteTo(PolicyUri);

        public override ConnectorTestResult Test(CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            var policy = Policy(cancellation, refresh: true);
            var ces = EnrollmentUri(cancellation);
            return new ConnectorTestResult(true,
                $"CEP {PolicyUri} answered with {policy.Policies.Count} template(s) and {policy.CertificationAuthorities.Count} CA(s); enrollment goes to {ces}.",
                watch.Elapsed);
        }

        public override IReadOnlyList<CaTemplate> GetTemplates(CancellationToken cancellation)
        {
            var policy = Policy(cancellation, refresh: true);
            var ours = OurCa(policy, cancellation);
            return policy.Policies
                .Where(p => ours == null || p.CaReferences.Count == 0 || p.CaReferences.Contains(ours.ReferenceId))
                .Select(p => p.Template)
                .ToList();
        }

        public override IReadOnlyList<EnrollmentService> GetEnrollmentServices(CancellationToken cancellation)
        {
            var policy = Policy(cancellation, refresh: false);
            return policy.CertificationAuthorities.SelectMany(ca => ca.Uris.Select(uri => new EnrollmentService
            {
                CaSubject = SubjectOf(ca.Certificate),
                Uri = uri.Uri.AbsoluteUri,
                Authentication = AdcsXml.AuthenticationName(uri.ClientAuthentication),
                Priority = uri.Priority,
                RenewalOnly = uri.RenewalOnly,
            })).OrderBy(s => s.Priority).ThenBy(s => s.Uri, StringComparer.OrdinalIgnoreCase).ToList();
        }

        /// <summary>The CA certificate's subject, or "" when the policy carries none or one we cannot read (the endpoints still count).</summary>
        private static string SubjectOf(byte[]? certificate)
        {
            if (certificate == null) return "";
            try { return Pkix.CertificateReader.Read(certificate).Subject; }
            catch (PscException) { return ""; }
        }

        public override SubmitResult Submit(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellation)
        {
            var uri = EnrollmentUri(cancellation);
            return Exchange(uri, WstepCodec.BuildIssue(uri, csrDer, template, attributes, _channel.Token), null, cancellation);
        }

        public override SubmitResult GetRequest(string requestId, string? referenceUri, CancellationToken cancellation)
        {
            var uri = EnrollmentUri(cancellation);
            // Poll where the CA said to, but only on the service we trust with our credentials.
            if (referenceUri != null && Uri.TryCreate(referenceUri, UriKind.Absolute, out var reference)
                && reference.Scheme == Uri.UriSchemeHttps && string.Equals(reference.Host, uri.Host, StringComparison.OrdinalIgnoreCase))
                uri = reference;
            return Exchange(uri, WstepCodec.BuildQueryTokenStatus(uri, requestId, _channel.Token), requestId, cancellation);
        }

        public override CaCertificates GetCaCertificates(CancellationToken cancellation)
        {
            var policy = Policy(cancellation, refresh: false);
            var ca = OurCa(policy, cancellation) ?? policy.CertificationAuthorities.FirstOrDefault(c => c.Certificate != null);
            if (ca?.Certificate == null)
                throw new PscException("CaCertificateUnavailable", FailureCategory.ObjectNotFound,
                    $"The enrollment policy at {PolicyUri.Host} carries no CA certificate.") { Target = Settings.Connector };
            return new CaCertificates(new X509Certificate2(ca.Certificate), Array.Empty<X509Certificate2>());
        }

        private SubmitResult Exchange(Uri uri, byte[] message, string? requestId, CancellationToken cancellation)
        {
            var (document, fault) = _channel.PostSoap(uri, message, "enrollment request", cancellation);
            if (fault != null)
            {
                var hresult = fault.HResult!.Value;
                switch (unchecked((uint)hresult))
                {
                    case 0x80094004 when requestId != null:
                        throw new PscException("RequestNotFound", FailureCategory.ObjectNotFound,
                            $"The CA behind {uri.Host} has no request {requestId}. {HResults.Describe(hresult)}") { Target = requestId };
                    case 0x80070005:
                        throw new PscException("CaAccessDenied", FailureCategory.PermissionDenied,
                            $"The CA behind {uri.Host} refused this account: it needs Request Certificates on the CA and Enroll on the template. {HResults.Describe(hresult)}") { Target = uri.ToString() };
                    case 0x80094003 when requestId != null:
                        throw new PscException("RequestNotPending", FailureCategory.InvalidOperation,
                            $"The CA behind {uri.Host} cannot report request {requestId}: {fault.Reason} {HResults.Describe(hresult)}") { Target = requestId };
                }
                // Otherwise the CA answered, and the answer is no: a Denied result, not an exception (and no failover).
                return new SubmitResult
                {
                    RequestId = fault.RequestId ?? requestId,
                    Status = SubmitStatus.Denied,
                    Disposition = RequestDisposition.Denied,
                    HResult = hresult,
                    DispositionMessage = fault.Reason,
                };
            }
            var response = WstepCodec.ReadResponse(document);
            return new SubmitResult
            {
                RequestId = response.RequestId ?? requestId,
                Status = response.Issued ? SubmitStatus.Issued : SubmitStatus.Pending,
                Disposition = response.Issued ? RequestDisposition.Issued : RequestDisposition.UnderSubmission,
                DispositionMessage = response.DispositionMessage,
                Certificate = response.Certificate,
                Chain = response.Chain,
                ReferenceUri = response.ReferenceUri?.AbsoluteUri,
            };
        }

        private XcepPolicyResponse Policy(CancellationToken cancellation, bool refresh)
        {
            lock (_policyLock)
            {
                if (_policy != null && !refresh) return _policy;
                var (document, fault) = _channel.PostSoap(PolicyUri, XcepCodec.BuildRequest(PolicyUri, _channel.Token), "enrollment policy request", cancellation);
                if (fault != null)
                    throw new PscException("PolicyRequestFailed", FailureCategory.InvalidOperation,
                        $"The enrollment policy service at {PolicyUri.Host} refused GetPolicies: {fault.Reason} {HResults.Describe(fault.HResult!.Value)}") { Target = PolicyUri.ToString() };
                return _policy = XcepCodec.ReadResponse(document);
            }
        }

        /// <summary>The CA this connector enrolls with, when the policy lets us tell (by its CES URI).</summary>
        private XcepCa? OurCa(XcepPolicyResponse policy, CancellationToken cancellation)
        {
            Uri ces;
            try { ces = EnrollmentUri(cancellation); }
            catch (PscException) { return null; }
            return policy.CertificationAuthorities.FirstOrDefault(ca => ca.Uris.Any(u => Uri.Compare(u.Uri, ces,
                UriComponents.HttpRequestUrl, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0));
        }

        public override void Dispose() => _channel.Dispose();
    }
}
