using System.IO;
using System.Linq;
using System.Management.Automation;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;

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
}
