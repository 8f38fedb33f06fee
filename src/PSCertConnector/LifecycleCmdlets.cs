using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    [Cmdlet(VerbsCommon.New, "RaCertificateRequest", SupportsShouldProcess = true, DefaultParameterSetName = "Parameters")]
    [OutputType(typeof(CertificateRequestResult))]
    public sealed class NewRaCertificateRequestCommand : PscCmdlet
    {
        /// <summary>Not mandatory: the Intune subject formats build the subject from -Email/-Upn, and a runbook must never be prompted.</summary>
        [Parameter(Position = 0, ParameterSetName = "Parameters")] [AllowEmptyString] public string Subject { get; set; } = "";
        [Parameter(ParameterSetName = "Parameters")] public KeyAlgorithm KeyAlgorithm { get; set; } = KeyAlgorithm.Rsa;
        /// <summary>RSA: 2048, 3072 or 4096; ECDSA: the curve's size (checked by Core, which names the lengths that fit).</summary>
        [Parameter(ParameterSetName = "Parameters")] [ArgumentCompleter(typeof(KeyLengthCompleter))] public int KeyLength { get; set; }
        [Parameter(ParameterSetName = "Parameters")] [ValidateRange(0, 2)] public int KeySpec { get; set; } = 1;
        [Parameter(ParameterSetName = "Parameters")] [ValidateRange(0, 0xFFFF)] public int KeyUsage { get; set; } = 0xa0;
        [Parameter(ParameterSetName = "Parameters")] public string[] EnhancedKeyUsage { get; set; } = new string[0];
        [Parameter(ParameterSetName = "Parameters")] public string[] SubjectAlternativeName { get; set; } = new string[0];
        [Parameter(ParameterSetName = "Parameters")] public SignatureHash HashAlgorithm { get; set; } = SignatureHash.Sha256;
        [Parameter(ParameterSetName = "Parameters")] public SwitchParameter Exportable { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public SwitchParameter MachineKeySet { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public string? FriendlyName { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public string? ProviderName { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public string? Template { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public IntuneSubjectFormat? IntuneSubjectFormat { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public string? Email { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public string? Upn { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public string[] OtherName { get; set; } = new string[0];
        [Parameter(ParameterSetName = "Parameters")] public SwitchParameter NoEmailSan { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public SwitchParameter NoUpnSan { get; set; }
        [Parameter(ParameterSetName = "Parameters")] public string? ProfileOid { get; set; }
        [Parameter(Mandatory = true, ParameterSetName = "Inf")] [ValidateNotNullOrEmpty] public string InfPath { get; set; } = "";
        [Parameter] public string? OutFile { get; set; }

        private static readonly IntuneParameterNames IntuneParameters = new("-Email", "-Upn", "-OtherName", "-NoEmailSan", "-NoUpnSan",
            "-IntuneSubjectFormat CommonName, CommonNameAndEmail or CommonNameAsEmail", "IntuneRulesNotSelected");

        protected override void ProcessRecord() => Run(() =>
        {
            var intune = RequestOperations.IntuneIdentityFrom(IntuneSubjectFormat, Email, Upn, OtherName, NoEmailSan, NoUpnSan, IntuneParameters);
            var operations = new RequestOperations(Workspace, Sink);
            CertificateRequestResult? result;
            if (ParameterSetName == "Inf")
            {
                var path = GetUnresolvedProviderPathFromPSPath(InfPath);
                if (!File.Exists(path))
                    throw new PscException("InfNotFound", FailureCategory.ObjectNotFound, $"The INF file '{path}' does not exist.") { Target = path };
                result = operations.BuildFromInf(File.ReadAllText(path));
            }
            else
            {
                result = operations.Build(RequestOperations.WithTemplate(new RequestSpec
                {
                    Subject = Subject,
                    KeyAlgorithm = KeyAlgorithm,
                    KeyLength = KeyLength != 0 ? KeyLength : KeyAlgorithms.DefaultLength(KeyAlgorithm),
                    KeySpec = KeySpec,
                    KeyUsage = KeyUsage,
                    EnhancedKeyUsages = EnhancedKeyUsage,
                    SubjectAlternativeNames = SubjectAlternativeName.Select(Core.Pkix.SubjectAlternativeName.Parse).ToList(),
                    HashAlgorithm = HashAlgorithm,
                    Exportable = Exportable,
                    MachineKeySet = MachineKeySet,
                    FriendlyName = FriendlyName,
                    ProviderName = ProviderName,
                }, Template, ProfileOid), intune: intune);
            }
            if (result != null && OutFile != null)
                File.WriteAllText(GetUnresolvedProviderPathFromPSPath(OutFile), result.CsrPem);
        });
    }

    [Cmdlet(VerbsLifecycle.Submit, "AdcsRequest", SupportsShouldProcess = true, DefaultParameterSetName = "Csr")]
    [OutputType(typeof(OrderRecord))]
    public sealed class SubmitAdcsRequestCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string Connector { get; set; } = "";

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string? Template { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Csr")] public byte[] Csr { get; set; } = new byte[0];
        [Parameter(Mandatory = true, ParameterSetName = "Path")] public string CsrPath { get; set; } = "";
        [Parameter] public Hashtable? Attribute { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var csr = ParameterSetName == "Path" ? File.ReadAllBytes(GetUnresolvedProviderPathFromPSPath(CsrPath)) : Csr;
            new OrderOperations(Workspace, Sink).Submit(Connector, Template, csr, ToSettings(Attribute));
        });
    }

    [Cmdlet(VerbsCommon.Get, "AdcsOrder")]
    [OutputType(typeof(OrderRecord))]
    public sealed class GetAdcsOrderCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)] public long[]? Id { get; set; }
        [Parameter] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }
        [Parameter] public SubmitStatus? Status { get; set; }
        [Parameter] public string? RequestId { get; set; }
        [Parameter] public SwitchParameter Refresh { get; set; }

        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            if (Id == null || Id.Length == 0)
                operations.List(new OrderQuery { Connector = Connector, Status = Status, RequestId = RequestId }, Refresh);
            else
                foreach (var id in Id) operations.List(new OrderQuery { Id = id, Connector = Connector, Status = Status }, Refresh);
        });
    }

    /// <summary>Shared by the cmdlets that act on orders: by order id, or by connector and CA request id.</summary>
    public abstract class OrderCmdlet : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")] public long[] Id { get; set; } = new long[0];
        [Parameter(Mandatory = true, ParameterSetName = "RequestId")] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string Connector { get; set; } = "";
        [Parameter(Mandatory = true, ParameterSetName = "RequestId")] public string[] RequestId { get; set; } = new string[0];

        protected System.Collections.Generic.IReadOnlyList<OrderRecord> SelectedOrders(OrderOperations operations) =>
            ParameterSetName == "RequestId" ? operations.Select(Connector, RequestId) : operations.Select(Id);
    }

    [Cmdlet(VerbsCommunications.Receive, "AdcsCertificate", SupportsShouldProcess = true, DefaultParameterSetName = "Id")]
    [OutputType(typeof(CertificateRecord))]
    public sealed class ReceiveAdcsCertificateCommand : OrderCmdlet
    {
        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Fetch(SelectedOrders(operations));
        });
    }

    [Cmdlet(VerbsCommon.Remove, "AdcsOrder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Id")]
    [OutputType(typeof(void))]
    public sealed class RemoveAdcsOrderCommand : OrderCmdlet
    {
        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Remove(SelectedOrders(operations));
        });
    }

    [Cmdlet(VerbsLifecycle.Approve, "AdcsRequest", SupportsShouldProcess = true, DefaultParameterSetName = "Id")]
    [OutputType(typeof(OrderRecord))]
    public sealed class ApproveAdcsRequestCommand : OrderCmdlet
    {
        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Approve(SelectedOrders(operations));
        });
    }

    [Cmdlet(VerbsLifecycle.Deny, "AdcsRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Id")]
    [OutputType(typeof(OrderRecord))]
    public sealed class DenyAdcsRequestCommand : OrderCmdlet
    {
        protected override void ProcessRecord() => Run(() =>
        {
            var operations = new OrderOperations(Workspace, Sink);
            operations.Deny(SelectedOrders(operations));
        });
    }

    [Cmdlet(VerbsData.Import, "CaCertificate", SupportsShouldProcess = true)]
    [OutputType(typeof(ImportRunRecord))]
    public sealed class ImportCaCertificateCommand : PscCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(ConnectorNameCompleter))]
        public string[] Connector { get; set; } = new string[0];
        [Parameter] public SwitchParameter Full { get; set; }
        [Parameter] public string? BusinessUnit { get; set; }
        [Parameter] public string[] Tag { get; set; } = new string[0];
        [Parameter] [ValidateRange(1, 100000)] public int BatchSize { get; set; } = 500;

        protected override void ProcessRecord() => Run(() =>
            new ImportOperation(Workspace, Sink).Import(Connector, new ImportOptions
            {
                Mode = Full ? ImportMode.Full : ImportMode.Incremental, BusinessUnit = BusinessUnit, Tags = Tag, BatchSize = BatchSize,
            }));
    }

    [Cmdlet(VerbsCommon.Get, "CaCertificate")]
    [OutputType(typeof(CertificateRecord))]
    public sealed class GetCaCertificateCommand : PscCmdlet
    {
        protected override bool ReadsOnly => true;

        [Parameter(Position = 0)] [SupportsWildcards] public string? Name { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }
        [Parameter] public CertificateStatus? Status { get; set; }
        [Parameter] [ValidateRange(0, 36500)] public int? ExpiringWithin { get; set; }
        [Parameter] public string? Tag { get; set; }
        [Parameter] public string? BusinessUnit { get; set; }
        [Parameter] public string? Template { get; set; }
        [Parameter] public string? SerialNumber { get; set; }
        [Parameter] public string? Thumbprint { get; set; }

        protected override void ProcessRecord() => Run(() =>
            new InventoryOperations(Workspace, Sink).Query(new CertificateQuery
            {
                Name = Name, Connector = Connector, Status = Status, ExpiringWithinDays = ExpiringWithin, Tag = Tag,
                BusinessUnit = BusinessUnit, Template = Template, SerialNumber = SerialNumber, Thumbprint = Thumbprint,
            }));
    }

    /// <summary>Shared by the cmdlets that act on one inventory certificate: by thumbprint, or serial (and connector).</summary>
    public abstract class CertificateCmdlet : PscCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)] public string? SerialNumber { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] public string? Thumbprint { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(ConnectorNameCompleter))] public string? Connector { get; set; }

        protected CertificateSelector Selector()
        {
            if (SerialNumber == null && Thumbprint == null)
                throw new PscException("CertificateSelectorMissing", FailureCategory.InvalidArgument, "Give -SerialNumber or -Thumbprint, or pipe certificates from Get-CaCertificate.");
            return Thumbprint != null ? new CertificateSelector(null, Thumbprint, Connector) : new CertificateSelector(SerialNumber, null, Connector);
        }
    }

    [Cmdlet(VerbsSecurity.Revoke, "Certificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(CertificateRecord))]
    public sealed class RevokeCertificateCommand : CertificateCmdlet
    {
        [Parameter(Mandatory = true)] public RevocationReason Reason { get; set; }
        [Parameter] public DateTime? EffectiveDate { get; set; }

        protected override void ProcessRecord() => Run(() =>
            new InventoryOperations(Workspace, Sink).Revoke(new[] { Selector() }, Reason,
                EffectiveDate.HasValue ? new DateTimeOffset(EffectiveDate.Value.ToUniversalTime(), TimeSpan.Zero) : (DateTimeOffset?)null));
    }

    [Cmdlet(VerbsData.Export, "CaCertificate", SupportsShouldProcess = true)]
    [OutputType(typeof(ExportedFile))]
    public sealed class ExportCaCertificateCommand : CertificateCmdlet
    {
        [Parameter(Mandatory = true)] [ValidateNotNullOrEmpty] public string FilePath { get; set; } = "";
        [Parameter] public ExportFormat Format { get; set; } = ExportFormat.Pem;
        [Parameter] public SwitchParameter IncludeChain { get; set; }
        [Parameter] public SecureString? Password { get; set; }
        /// <summary>Replaces a file that exists; without it an existing file is an error and stays as it was.</summary>
        [Parameter] public SwitchParameter Force { get; set; }
        /// <summary>3DES/SHA-1 PFX for Windows Server 2016 and Windows 10 before 1709, which cannot read AES-protected PFX files.</summary>
        [Parameter] public SwitchParameter LegacyEncryption { get; set; }

        protected override void ProcessRecord() => Run(() =>
            new InventoryOperations(Workspace, Sink).ExportToFile(Selector(), Format, IncludeChain, Plain(Password), new ExportFileOptions
            {
                Path = GetUnresolvedProviderPathFromPSPath(FilePath), Overwrite = Force,
                PfxProtection = LegacyEncryption ? Pkcs12Protection.Legacy : Pkcs12Protection.Modern,
            }));
    }

    [Cmdlet(VerbsLifecycle.Install, "RaCertificate", SupportsShouldProcess = true)]
    [OutputType(typeof(string))]
    public sealed class InstallRaCertificateCommand : CertificateCmdlet
    {
        [Parameter] public StoreLocation? StoreLocation { get; set; }
        [Parameter] public string StoreName { get; set; } = "My";

        protected override void ProcessRecord() => Run(() =>
        {
            var installed = new InstallOperation(Workspace, new SinkWithoutObjects(Sink)).Install(Selector(), StoreLocation, StoreName);
            if (installed != null) WriteOutput(installed.Thumbprint);
        });
    }
}
