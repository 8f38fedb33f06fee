using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Cli.Commands
{
    internal sealed class RequestNewCommand : CliCommand
    {
        private static readonly IntuneParameterNames IntuneOptions = new("--email", "--upn", "--other-name", "--no-email-san", "--no-upn-san",
            "--intune cn|cn-email|cn-as-email", "Usage");

        public RequestNewCommand() : base("request new", "Generate a key and a PKCS#10 request (from flags or a certreq INF); the key is kept protected for pairing.",
            new CliOption("inf", "certreq INF file ([NewRequest], [Extensions], [EnhancedKeyUsageExtension], [RequestAttributes])"),
            new CliOption("subject", "subject DN, e.g. 'CN=ra01,O=Contoso'"),
            new CliOption("key-algorithm", "rsa (default), ecdsa-p256, ecdsa-p384"),
            new CliOption("key-length", "2048 (default), 3072, 4096"),
            new CliOption("san", "subject alternative name, e.g. dns=www.contoso.com (repeat)"),
            new CliOption("eku", "enhanced key usage OID (repeat)"),
            new CliOption("key-usage", "key usage, e.g. 0xa0"),
            new CliOption("hash", "sha256 (default), sha384, sha512"),
            CliOption.Flag("exportable", "allow the key to be exported to PFX later"),
            CliOption.Flag("machine-key-set", "install into the machine store later"),
            new CliOption("friendly-name", "friendly name"),
            new CliOption("template", "CertificateTemplate request attribute"),
            new CliOption("out", "write the CSR (PEM) to this file"),
            new CliOption("intune", "apply the Intune / DigiCert PKI Platform rules with this subject format: cn, cn-email or cn-as-email"),
            new CliOption("email", "the user's email (Intune rules; falls back to the UPN)"),
            new CliOption("upn", "the user's UPN (Intune rules; falls back to the email)"),
            new CliOption("other-name", "other-name SAN as OID;HEX (Intune rules; repeat)"),
            CliOption.Flag("no-email-san", "no email SAN (Intune rules)"),
            CliOption.Flag("no-upn-san", "no UPN SAN (Intune rules)"),
            new CliOption("profile-oid", "DigiCert PKI Platform certificate profile OID, checked and sent as the template"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var infPath = cl.Get("inf");
            var outPath = cl.Get("out");
            RequestSpec? fromFlags = infPath == null
                ? SpecFromFlags(cl) with { Exportable = cl.Has("exportable"), MachineKeySet = cl.Has("machine-key-set") }
                : null;
            if (infPath != null && (cl.Has("subject") || cl.Has("san") || cl.Has("key-length")))
                throw CommandLine.Usage("Give either --inf or the request flags (--subject, --san, ...), not both.");
            // certreq.ini files are often saved by Notepad as UTF-16 or with a BOM: let the reader detect it.
            var infText = infPath == null ? null
                : new StreamReader(new MemoryStream(Arguments.ReadFile(infPath, "INF file")), Encoding.UTF8, detectEncodingFromByteOrderMarks: true).ReadToEnd();
            var intune = RequestOperations.IntuneIdentityFrom(SubjectFormat(cl.Get("intune")), cl.Get("email"), cl.Get("upn"), cl.All("other-name"),
                cl.Has("no-email-san"), cl.Has("no-upn-san"), IntuneOptions);
            if (intune != null && fromFlags == null) throw CommandLine.Usage("--intune applies to a request built from flags, not to --inf.");
            if (fromFlags != null) fromFlags = RequestOperations.WithTemplate(fromFlags, cl.Get("template"), cl.Get("profile-oid"));
            return run.Op(false, (ws, s) =>
            {
                var operations = new RequestOperations(ws, s);
                var result = fromFlags != null ? operations.Build(fromFlags, intune: intune) : operations.BuildFromInf(infText!);
                if (result != null && outPath != null)
                {
                    Arguments.WriteFile(outPath, Encoding.ASCII.GetBytes(result.CsrPem));
                    s.WriteVerbose($"Wrote the request to {Path.GetFullPath(outPath)}.");
                }
            }, single: true, render: run.JsonOr(sink =>
            {
                foreach (var r in sink.Objects.OfType<CertificateRequestResult>())
                {
                    run.Out.WriteLine($"Request for {r.Subject} ({r.KeyAlgorithm} {r.KeyLength}), key {r.KeyId.Substring(0, 16)}… kept protected for pairing.");
                    if (outPath != null) run.Out.WriteLine($"CSR written to {Path.GetFullPath(outPath)}");
                    else run.Out.Write(r.CsrPem);
                }
            }));
        }

        /// <summary>--intune cn|cn-email|cn-as-email.</summary>
        private static IntuneSubjectFormat? SubjectFormat(string? format) => format?.ToLowerInvariant() switch
        {
            null => null,
            "cn" => IntuneSubjectFormat.CommonName,
            "cn-email" or "cn+email" or "cn-e" => IntuneSubjectFormat.CommonNameAndEmail,
            "cn-as-email" or "email" => IntuneSubjectFormat.CommonNameAsEmail,
            _ => throw CommandLine.Usage($"--intune '{format}' should be cn, cn-email or cn-as-email."),
        };

        /// <summary>Subject, key, usages, SANs, hash and friendly name from the flags 'request new' and 'pfx new' share.</summary>
        internal static RequestSpec SpecFromFlags(CommandLine cl)
        {
            var algorithm = (cl.Get("key-algorithm") ?? "rsa").ToLowerInvariant().Replace("_", "-") switch
            {
                "rsa" => KeyAlgorithm.Rsa,
                "ecdsa-p256" or "p256" => KeyAlgorithm.EcdsaP256,
                "ecdsa-p384" or "p384" => KeyAlgorithm.EcdsaP384,
                var other => throw CommandLine.Usage($"--key-algorithm '{other}' should be rsa, ecdsa-p256 or ecdsa-p384."),
            };
            int length = cl.Int("key-length", 1, 16384) ?? KeyAlgorithms.DefaultLength(algorithm);
            var hash = (cl.Get("hash") ?? "sha256").ToLowerInvariant().Replace("-", "") switch
            {
                "sha256" => SignatureHash.Sha256,
                "sha384" => SignatureHash.Sha384,
                "sha512" => SignatureHash.Sha512,
                var other => throw CommandLine.Usage($"--hash '{other}' should be sha256, sha384 or sha512."),
            };
            return new RequestSpec
            {
                Subject = cl.Get("subject") ?? "",
                KeyAlgorithm = algorithm,
                KeyLength = length,
                KeyUsage = cl.Get("key-usage") is string ku ? InfKeyUsage(ku) : 0,
                EnhancedKeyUsages = cl.All("eku"),
                SubjectAlternativeNames = cl.AllRaw("san").Select(SubjectAlternativeName.Parse).ToList(),
                HashAlgorithm = hash,
                FriendlyName = cl.Get("friendly-name"),
                RequestAttributes = new Dictionary<string, string>(),
            };
        }

        private static int InfKeyUsage(string text) =>
            InfParser.Parse($"[NewRequest]\nSubject = \"CN=x\"\nKeyUsage = {text}\n").Spec.KeyUsage;
    }
}
