using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace PSCertConnector.Core.Connectors
{
    [Flags]
    public enum ConnectorCapabilities
    {
        None = 0,
        Ping = 1,
        Templates = 2,
        Enroll = 4,
        RetrievePending = 8,
        Approve = 16,
        Deny = 32,
        Revoke = 64,
        ReleaseHold = 128,
        EnumerateIssued = 256,
        CaCertificates = 512,
        Crl = 1024,
    }

    public static class CapabilityText
    {
        public static string Describe(ConnectorCapabilities capability) => capability switch
        {
            ConnectorCapabilities.Ping => "be tested",
            ConnectorCapabilities.Templates => "list templates",
            ConnectorCapabilities.Enroll => "submit certificate requests",
            ConnectorCapabilities.RetrievePending => "retrieve pending requests",
            ConnectorCapabilities.Approve => "approve pending requests",
            ConnectorCapabilities.Deny => "deny pending requests",
            ConnectorCapabilities.Revoke => "revoke certificates",
            ConnectorCapabilities.ReleaseHold => "release a certificate from hold",
            ConnectorCapabilities.EnumerateIssued => "enumerate the CA's issued certificates for import",
            ConnectorCapabilities.CaCertificates => "return the CA certificates",
            ConnectorCapabilities.Crl => "return the CA's CRL",
            _ => capability.ToString(),
        };
    }

    /// <summary>
    /// What a submit or a retrieve ended in, normalised across CA kinds. <see cref="Submitting"/> and
    /// <see cref="Unknown"/> are order states only, never a CA's answer: the order was recorded before the CA was
    /// contacted, and either the answer is still on its way or the process stopped before it was recorded and
    /// the CA cannot be asked which request it was.
    /// </summary>
    public enum SubmitStatus { Incomplete, Failed, Denied, Issued, IssuedOutOfBand, Pending, Revoked, Submitting, Unknown }

    /// <summary>
    /// What a CA can say about a submission it was sent under our submission id (the request attribute
    /// <see cref="SubmissionLookup.AttributeName"/>): the request it became, that it never arrived, or that this
    /// transport cannot tell.
    /// </summary>
    public sealed class SubmissionLookup
    {
        /// <summary>The request attribute every submit carries; an administrator can search the CA's requests for it.</summary>
        public const string AttributeName = "PSCertConnectorSubmissionId";

        private SubmissionLookup(SubmitResult? result, bool received) { Result = result; Received = received; }

        /// <summary>The request the submission became, when the CA found it.</summary>
        public SubmitResult? Result { get; }
        /// <summary>False when the CA knows for certain it never received the submission.</summary>
        public bool Received { get; }

        public static SubmissionLookup Found(SubmitResult result) => new SubmissionLookup(result, true);
        public static readonly SubmissionLookup NotReceived = new SubmissionLookup(null, false);
        public static readonly SubmissionLookup CannotTell = new SubmissionLookup(null, true);
    }

    /// <summary>CR_DISP_* values returned by ICertRequest::Submit/RetrievePending (MS-WCCE).</summary>
    public enum RequestDisposition
    {
        Incomplete = 0,
        Error = 1,
        Denied = 2,
        Issued = 3,
        IssuedOutOfBand = 4,
        UnderSubmission = 5,
        Revoked = 6,
    }

    /// <summary>The CA database's Request.Disposition column: a different enum from CR_DISP.</summary>
    public enum CaDatabaseDisposition
    {
        Active = 8,
        Pending = 9,
        Foreign = 12,
        CaCertificate = 15,
        CaChain = 16,
        KraCertificate = 17,
        Issued = 20,
        Revoked = 21,
        Failed = 30,
        Denied = 31,
    }

    /// <summary>RFC 5280 CRLReason; the numbers are also ICertAdmin::RevokeCertificate's.</summary>
    public enum RevocationReason
    {
        Unspecified = 0,
        KeyCompromise = 1,
        CACompromise = 2,
        AffiliationChanged = 3,
        Superseded = 4,
        CessationOfOperation = 5,
        CertificateHold = 6,
        RemoveFromCrl = 8,
        PrivilegeWithdrawn = 9,
        AACompromise = 10,
    }

    public static class Dispositions
    {
        public static SubmitStatus ToStatus(RequestDisposition d) => d switch
        {
            RequestDisposition.Incomplete => SubmitStatus.Incomplete,
            RequestDisposition.Error => SubmitStatus.Failed,
            RequestDisposition.Denied => SubmitStatus.Denied,
            RequestDisposition.Issued => SubmitStatus.Issued,
            RequestDisposition.IssuedOutOfBand => SubmitStatus.IssuedOutOfBand,
            RequestDisposition.UnderSubmission => SubmitStatus.Pending,
            RequestDisposition.Revoked => SubmitStatus.Revoked,
            _ => SubmitStatus.Failed,
        };

        public static RequestDisposition ToRequestDisposition(CaDatabaseDisposition d) => d switch
        {
            CaDatabaseDisposition.Pending => RequestDisposition.UnderSubmission,
            CaDatabaseDisposition.Issued => RequestDisposition.Issued,
            CaDatabaseDisposition.Revoked => RequestDisposition.Revoked,
            CaDatabaseDisposition.Denied => RequestDisposition.Denied,
            CaDatabaseDisposition.Failed => RequestDisposition.Error,
            CaDatabaseDisposition.Active => RequestDisposition.UnderSubmission,
            _ => RequestDisposition.Issued,
        };
    }

    public sealed record SubmitResult
    {
        public string? RequestId { get; init; }
        public SubmitStatus Status { get; init; }
        public RequestDisposition Disposition { get; init; }
        public int HResult { get; init; }
        public string? DispositionMessage { get; init; }
        public byte[]? Certificate { get; init; }
        public IReadOnlyList<byte[]> Chain { get; init; } = Array.Empty<byte[]>();
        /// <summary>Where to ask about a pending request again (the CES reference URI), when the CA gave one.</summary>
        public string? ReferenceUri { get; init; }
    }

    /// <summary>A certificate template (AD CS) or profile (DigiCert) as the connector reports it.</summary>
    public sealed record CaTemplate
    {
        public string Name { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string? Oid { get; init; }
        public int SchemaVersion { get; init; } = 2;
        public int MajorRevision { get; init; } = 100;
        public int MinorRevision { get; init; }
        public TimeSpan Validity { get; init; }
        public TimeSpan RenewalPeriod { get; init; }
        public int MinimumKeySize { get; init; } = 2048;
        public bool RequiresApproval { get; init; }
        public bool SubjectFromRequest { get; init; } = true;
        public IReadOnlyList<string> ExtendedKeyUsages { get; init; } = Array.Empty<string>();
        /// <summary>X509KeyUsageFlags value the CA puts in issued certificates.</summary>
        public int KeyUsage { get; init; }
        public bool CanEnroll { get; init; } = true;
        public bool CanAutoEnroll { get; init; }
        /// <summary>The template's raw flag words (msPKI-Enrollment-Flag, -Private-Key-Flag, -Certificate-Name-Flag, flags) as the policy gives them; 0 when unknown.</summary>
        public int EnrollmentFlags { get; init; }
        public int PrivateKeyFlags { get; init; }
        public int SubjectNameFlags { get; init; }
        public int GeneralFlags { get; init; }
        /// <summary>1 = AT_KEYEXCHANGE, 2 = AT_SIGNATURE; null when the policy does not say.</summary>
        public int? KeySpec { get; init; }
    }

    /// <summary>One row of a CA's issued/revoked certificates, as enumerated for import.</summary>
    public sealed record IssuedCertificate
    {
        public string RequestId { get; init; } = "";
        public byte[] Certificate { get; init; } = Array.Empty<byte>();
        public string? Template { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
        public RevocationReason? RevocationReason { get; init; }
    }

    /// <summary>One page of an enumeration; Cursor resumes after its last row (the import watermark).</summary>
    public sealed record IssuedPage(IReadOnlyList<IssuedCertificate> Items, string? Cursor, bool HasMore);

    /// <summary>
    /// An enrollment endpoint a policy service lists for a CA (CEP's cAs/cA/uris): where to enroll, with which
    /// authentication, at which priority (lower first), and whether it only renews.
    /// </summary>
    public sealed record EnrollmentService
    {
        public string CaSubject { get; init; } = "";
        public string Uri { get; init; } = "";
        /// <summary>Anonymous, Kerberos, UsernamePassword or Certificate (MS-XCEP clientAuthentication 1, 2, 4, 8).</summary>
        public string Authentication { get; init; } = "";
        public int Priority { get; init; }
        public bool RenewalOnly { get; init; }
    }

    public sealed record ConnectorTestResult(bool Success, string Message, TimeSpan Elapsed);

    public sealed record CaCertificates(X509Certificate2 Issuing, IReadOnlyList<X509Certificate2> Chain);
}
