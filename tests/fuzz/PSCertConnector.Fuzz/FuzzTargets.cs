using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using PSCertConnector.Core;
using PSCertConnector.Core.Connectors.DigiCert;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Fuzz
{
    /// <summary>
    /// One fuzz target per parser of hostile input in Core. A target feeds the bytes to every public reading
    /// entry point of its parser; a PscException is the parser refusing the input (fine), anything else escapes
    /// and is a finding. This file is compiled into the fuzz harness and, linked, into Core.Tests, so the
    /// regression replay in the default test run executes exactly what the fuzzer did.
    /// </summary>
    public static class FuzzTargets
    {
        /// <summary>Target name → the code that reads one input.</summary>
        public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
        {
            ["csr"] = Csr,
            ["certificate"] = Certificate,
            ["crl"] = Crl,
            // Pkix has no PKCS#12 reader (PFX files are opened by the platform in InstallOperation); what Core parses
            // itself is PKCS#7 SignedData: certnew.p7b chains, CMC responses, DCOM chains.
            ["pkcs7"] = Pkcs7Chain,
            ["inf"] = Inf,
            ["xcep"] = Xcep,
            ["wstep"] = Wstep,
            ["certsrv"] = Certsrv,
            ["digicert-json"] = DigiCertJson,
        };

        /// <summary>Other names the targets answer to (the issue calls the PKCS#7 one "pkcs12").</summary>
        public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pkcs12"] = "pkcs7",
        };

        public static string Resolve(string name) =>
            Aliases.TryGetValue(name, out var real) ? real
            : All.ContainsKey(name) ? name
            : throw new ArgumentException($"Unknown fuzz target '{name}'. Targets: {string.Join(", ", All.Keys)} (pkcs12 = pkcs7).");

        /// <summary>Runs one input; returns normally when every entry point accepted or refused it with a PscException.</summary>
        public static void Run(string target, byte[] input) => All[Resolve(target)](input);

        /// <summary>One entry point: a PscException is a refusal (the contract), so it is swallowed; anything else is not.</summary>
        private static void Refusable(Action read)
        {
            try { read(); }
            catch (PscException) { }
        }

        // The CA certificate (EC P-256, "CN=Fuzz Seed CA") that signed the CRL and certificate seeds, so that the
        // CRL target also reaches signature verification.
        private static readonly byte[] SeedIssuer = Convert.FromBase64String(
            "MIIBkjCCATmgAwIBAgIBDzAKBggqhkjOPQQDAjAxMRUwEwYDVQQDDAxGdXp6IFNlZWQgQ0ExGDAWBgNVBAoMD1BTQ2VydENvbm5lY3RvcjAeFw0yNjEyMDMxMDU3NDNa" +
            "Fw0zNjExMzAxMDU3NDNaMDExFTATBgNVBAMMDEZ1enogU2VlZCBDQTEYMBYGA1UECgwPUFNDZXJ0Q29ubmVjdG9yMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G9h" +
            "c8rNlMyvKa9qLqbJfy5tYhQiBNLrQjRVj/kIYrExnEQQmwk7Z7CkBTNvc8JV+bpegNSSvHT8Jpdd+UQUo6NCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMC" +
            "AQYwHQYDVR0OBBYEFOCIBOl4dNmpfDqdKX4wvAF2S/gVMAoGCCqGSM49BAMCA0cAMEQCIFR8h94SZrVMweAZ/6N/WrEcOT5fDN8BS0EfJ9OAskpIAiBYb3xMYWuH0s4x" +
            "1pYl9N5CMo4UxYzPfl6ngSefT28Ciw==");

        private static void Csr(byte[] input) => Refusable(() => CsrParser.Parse(input));

        private static void Certificate(byte[] input)
        {
            Refusable(() => CertificateReader.Read(input));
            // A bundle's blocks are read one by one by the importers; a handful is enough to reach every path.
            Refusable(() =>
            {
                foreach (var der in CertificateReader.ReadAll(input).Take(4)) Refusable(() => CertificateReader.Read(der));
            });
        }

        private static void Crl(byte[] input)
        {
            Refusable(() => CrlReader.Read(input));
            Refusable(() => CrlReader.Read(input, SeedIssuer));
            // The input as the issuer certificate: hostile bytes reach the issuer's reading too.
            Refusable(() => CrlReader.Read(SeedCrl, input));
        }

        // The seed CRL (two entries) signed by SeedIssuer.
        private static readonly byte[] SeedCrl = Convert.FromBase64String(
            "MIIBETCBuAIBATAKBggqhkjOPQQDAjAxMRUwEwYDVQQDDAxGdXp6IFNlZWQgQ0ExGDAWBgNVBAoMD1BTQ2VydENvbm5lY3RvchcNMjYxMjAzMTA1NzQzWhcNMjYxMjEw" +
            "MTA1NzQzWjBGMCECAgDxFw0yNjEyMDMxMDU3NDNaMAwwCgYDVR0VBAMKAQQwIQICEjQXDTI2MTIwMzEwNTc0M1owDDAKBgNVHRUEAwoBAaAOMAwwCgYDVR0UBAMCAQIw" +
            "CgYIKoZIzj0EAwIDSAAwRQIhALc3hKPfnk6BDP8gg3lHExMg5qkAjEXzjPS74d9xTITsAiBHjtV5eNra/4v7b4YWhr/GKI/qqzjqH+y9N9kqeXolwg==");

        private static void Pkcs7Chain(byte[] input)
        {
            Refusable(() => Pkcs7.ReadCertificatesPemOrDer(input, "fuzz PKCS#7"));
            Refusable(() => Pkcs7.ReadCertificates(input, "fuzz PKCS#7"));
        }

        private static void Inf(byte[] input)
        {
            var text = Encoding.UTF8.GetString(input);
            // An INF that parses is then checked the way 'request new' checks it before any key is made.
            Refusable(() => CsrBuilder.Validate(InfParser.Parse(text).Spec));
        }

        private static void Xcep(byte[] input) => Refusable(() =>
        {
            var document = SafeXml.Parse(input, "fuzz GetPolicies response");
            Refusable(() => SoapFault.TryRead(document));
            Refusable(() => XcepCodec.ReadResponse(document));
        });

        private static void Wstep(byte[] input) => Refusable(() =>
        {
            var document = SafeXml.Parse(input, "fuzz enrollment response");
            Refusable(() => SoapFault.TryRead(document));
            Refusable(() => WstepCodec.ReadResponse(document));
        });

        private static void Certsrv(byte[] input)
        {
            var html = Encoding.UTF8.GetString(input);
            Refusable(() => CertsrvCodec.ReadSubmitPage(html));
            Refusable(() => CertsrvCodec.ReadRetrievePage(html, "7"));
            Refusable(() => CertsrvCodec.ReadRenewalCount(html));
            Refusable(() => CertsrvCodec.Title(html));
        }

        private static readonly Uri FuzzUri = new("https://digicert.fuzz.invalid/api/");

        private static void DigiCertJson(byte[] input) => Refusable(() =>
        {
            var json = DigiCertJsonChannel.Parse(new HttpReply(HttpStatusCode.OK, "application/json", input, FuzzUri), "fuzz answer");
            // Every reader gets every document: a hostile peer chooses which answer it sends to which call.
            Refusable(() => DigiCertJsonChannel.ReadError(json));
            Refusable(() => DigiCertOneConnector.ReadProfiles(json, FuzzUri.Host));
            Refusable(() => DigiCertOneConnector.ToResult(json, "profile", null));
            Refusable(() => DigiCertOneConnector.ToResult(json, "profile", "7"));
            Refusable(() => DigiCertOneConnector.FromDetails(json, "7"));
            Refusable(() => DigiCertOneConnector.ReadSearchPage(json, 0, 100));
            Refusable(() => CertCentralConnector.ReadProducts(json, 1));
            Refusable(() => CertCentralConnector.ReadOrderAnswer(json));
            Refusable(() => CertCentralConnector.ReadOrderStatus(json, "7"));
            Refusable(() => CertCentralConnector.ReadStatusChanges(json));
        });
    }
}
