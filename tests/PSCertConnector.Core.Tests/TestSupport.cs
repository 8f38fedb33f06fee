using System.Threading;
using PSCertConnector.Core;

namespace PSCertConnector.Tests
{
    /// <summary>A temporary home folder, removed afterwards.</summary>
    public sealed class TempHome : IDisposable
    {
        public TempHome()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "psc-test-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { }
        }
    }

    /// <summary>Records what an operation sends to its sink; ShouldProcess answers as told (false = -WhatIf).</summary>
    public sealed class RecordingSink : ICommandSink
    {
        private readonly Func<string, string, bool> _shouldProcess;

        public RecordingSink(bool shouldProcess = true, CancellationToken cancellation = default)
            : this((_, _) => shouldProcess, cancellation) { }

        public RecordingSink(Func<string, string, bool> shouldProcess, CancellationToken cancellation = default)
        {
            _shouldProcess = shouldProcess;
            Cancellation = cancellation;
        }

        public List<object> Objects { get; } = new();
        public List<PscError> Errors { get; } = new();
        public List<string> Warnings { get; } = new();
        public List<string> Verbose { get; } = new();
        public List<ProgressInfo> Progress { get; } = new();
        public List<(string Target, string Action)> ShouldProcessCalls { get; } = new();
        public CancellationToken Cancellation { get; }

        public void WriteObject(object item) => Objects.Add(item);
        public void WriteError(PscError error) => Errors.Add(error);
        public void WriteWarning(string message) => Warnings.Add(message);
        public void WriteVerbose(string message) => Verbose.Add(message);
        public void WriteProgress(ProgressInfo progress) => Progress.Add(progress);

        public bool ShouldProcess(string target, string action)
        {
            ShouldProcessCalls.Add((target, action));
            return _shouldProcess(target, action);
        }

        public T Single<T>() => Objects.OfType<T>().Single();
        public List<T> All<T>() => Objects.OfType<T>().ToList();
    }

    public static class Samples
    {
        /// <summary>The RA certreq.ini of the DigiCert PKI Platform / Intune guide, with its comments and remarks.</summary>
        public const string GuideCertreqIni = @"[Version]
Signature=""$Windows NT$""

[NewRequest]
;Change to your,country code, company name and common name
Subject = ""C=US, O=Contoso, CN=ra01.contoso.com""
KeySpec = 1
KeyLength = 2048
Exportable = TRUE
MachineKeySet = TRUE
SMIME = False
PrivateKeyArchive = FALSE
UserProtected = FALSE
UseExistingKeySet = FALSE
ProviderName = ""Microsoft RSA SChannel Cryptographic Provider""
ProviderType = 12
RequestType = PKCS10
KeyUsage = 0xa0

[EnhancedKeyUsageExtension]
OID=1.3.6.1.5.5.7.3.2 // Client Authentication
";
    }
}
