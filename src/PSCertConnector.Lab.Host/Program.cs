using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;
using PSCertConnector.Cli;
using PSCertConnector.Core;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Lab.Host
{
    /// <summary>
    /// certconnector-lab: what 'certconnector lab serve' runs. It takes the same command line (with or without the words
    /// 'lab serve'); certconnector has already checked its options against the command's help.
    /// </summary>
    public static class Program
    {
        private static readonly IReadOnlySet<string> Flags = new HashSet<string>(StringComparer.Ordinal) { "json", "verbose", "what-if", "yes", "help" };
        private static readonly IReadOnlySet<string> Groups = new HashSet<string>(StringComparer.Ordinal) { "lab" };

        public static int Main(string[] args)
        {
            using var stop = new CancellationTokenSource();
            using var signals = CommandHost.CancelOnStopSignals(stop); // the Lab says so and exits 0
            var stdout = new TerminalSafeWriter(Console.Out);
            var stderr = new TerminalSafeWriter(Console.Error);
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                return CommandHost.Run(() => Serve(CommandLine.Parse(args, Groups, Flags), stdout, stderr, stop.Token), stderr);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }

        /// <summary>Runs the Lab until stopped and tells the user how to point connectors at it.</summary>
        private static int Serve(CommandLine cl, TextWriter output, TextWriter errors, CancellationToken stopped)
        {
            if (cl.Words.Count > 0 && string.Join(" ", cl.Words) != "lab serve")
                throw CommandLine.Usage($"certconnector-lab only serves the Lab; '{string.Join(" ", cl.Words)}' is a certconnector command.");
            if (cl.Has("help"))
            {
                output.WriteLine("certconnector-lab: the Lab server. Its options: certconnector lab serve --help.");
                return 0;
            }
            if (cl.Get("home") is string home) Environment.SetEnvironmentVariable(PscHome.EnvironmentVariable, Path.GetFullPath(home));
            var port = cl.Int("port", 0, 65535) ?? 8443;
            var user = cl.Get("user") ?? "labuser";
            // The account's password is chosen by the user and never printed: CI logs keep what a server prints.
            var password = cl.Secret("password-env", "password-file")
                ?? throw CommandLine.Usage("Give the Lab account's password with --password-env VAR or --password-file FILE (it is never printed).");
            var apiKey = cl.Secret("api-key-env", "api-key-file"); // for the DigiCert ONE emulation; without it only client certificates get in
            var scepChallenge = cl.Secret("scep-challenge-env", "scep-challenge-file"); // besides the one-time challenges of mscep_admin
            var scepTemplate = cl.Get("scep-template");
            var labHome = Path.GetFullPath(cl.Get("lab-home") ?? Path.Combine(PscHome.Resolve(), "lab"));

            var keytab = cl.Get("keytab");
            if (keytab != null)
            {
                if (!File.Exists(keytab)) throw CommandLine.Usage($"The keytab '{keytab}' named by --keytab does not exist.");
                NativeEnvironment.Set("KRB5_KTNAME", "FILE:" + Path.GetFullPath(keytab)); // GSSAPI's acceptor reads its key from here
            }
            using var authority = LabAuthority.OpenOrCreate(labHome, cl.Get("ca-name") ?? LabAuthority.DefaultCaName, cl.Int("http-port", 0, 65535));
            LabServer server;
            try
            {
                server = LabServer.StartAsync(authority, new LabOptions
                {
                    Port = port, Users = new Dictionary<string, string> { [user] = password }, ApiKey = apiKey, Negotiate = keytab != null,
                    ScepChallenge = scepChallenge, ScepTemplate = scepTemplate ?? new LabOptions().ScepTemplate,
                }, stopped)
                    .GetAwaiter().GetResult();
            }
            catch (IOException ex)
            {
                throw new PscException("LabPortInUse", FailureCategory.ResourceExists,
                    $"The Lab cannot listen on 127.0.0.1:{port} ({ex.Message}). Pick another with --port, or --port 0 for any free one.") { Target = port.ToString() };
            }
            try
            {
                var info = new
                {
                    baseUrl = server.BaseUri.AbsoluteUri,
                    caName = authority.CaName,
                    caBundle = authority.BundlePath,
                    cepUsernamePassword = server.PolicyUri(AdcsAuthentication.UsernamePassword).AbsoluteUri,
                    cesUsernamePassword = server.EnrollmentUri(AdcsAuthentication.UsernamePassword).AbsoluteUri,
                    cepCertificate = server.PolicyUri(AdcsAuthentication.Certificate).AbsoluteUri,
                    cesKerberos = keytab != null ? server.EnrollmentUri(AdcsAuthentication.Kerberos).AbsoluteUri : null,
                    cesCertificate = server.EnrollmentUri(AdcsAuthentication.Certificate).AbsoluteUri,
                    webEnrollment = server.WebEnrollmentUri.AbsoluteUri,
                    scep = server.ScepUri.AbsoluteUri,
                    scepChallenge = server.ScepAdminUri.AbsoluteUri,
                    digicertOne = server.BaseUri.AbsoluteUri.TrimEnd('/'),
                    publication = authority.Publication.BaseUri.AbsoluteUri,
                    caCertificates = authority.PublishedCertificateUrls,
                    crls = authority.PublishedCrlUrls,
                    user,
                };
                if (cl.Has("json"))
                {
                    output.WriteLine(JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
                }
                else
                {
                    output.WriteLine($"PSCertConnector Lab is serving on {info.baseUrl} (127.0.0.1 only).");
                    output.WriteLine($"  CA                 {info.caName}");
                    output.WriteLine($"  CA bundle          {info.caBundle}");
                    output.WriteLine($"  CEP (password)     {info.cepUsernamePassword}");
                    output.WriteLine($"  CES (password)     {info.cesUsernamePassword}");
                    output.WriteLine($"  CEP (certificate)  {info.cepCertificate}");
                    output.WriteLine($"  CES (certificate)  {info.cesCertificate}");
                    output.WriteLine($"  Web Enrollment     {info.webEnrollment}");
                    output.WriteLine($"  NDES (SCEP)        {info.scep} (challenges from {info.scepChallenge}, Basic auth as the Lab account)");
                    output.WriteLine($"  DigiCert ONE       {info.digicertOne}/mpki/api/v1/ ({(apiKey != null ? "x-api-key as given" : "client certificates only: pass --api-key-env for an API key")})");
                    output.WriteLine($"  AIA and CDP (http) {info.publication}");
                    foreach (var url in info.caCertificates) output.WriteLine($"    CA certificate   {url}");
                    foreach (var url in info.crls) output.WriteLine($"    CRL              {url}");
                    output.WriteLine($"  Approve or deny    POST {info.baseUrl}lab/admin/requests/<id>/approve|deny (Basic auth as the Lab account), then 'order refresh'");
                    output.WriteLine($"  Account            {user} (password as given)");
                    output.WriteLine();
                    output.WriteLine("Point a connector at it:");
                    output.WriteLine($"  certconnector connector add lab-ces --type adcs-ces --setting host=localhost --setting port={server.BaseUri.Port} " +
                                   $"--setting \"caName={authority.CaName}\" --setting user={user} --setting \"caBundle={authority.BundlePath}\" --secret-env LAB_PASSWORD");
                    output.WriteLine($"  certconnector connector add lab-web --type adcs-web --setting host=localhost --setting port={server.BaseUri.Port} " +
                                   $"--setting user={user} --setting \"caBundle={authority.BundlePath}\" --secret-env LAB_PASSWORD");
                    output.WriteLine($"  certconnector connector add lab-ndes --type adcs-ndes --setting host=localhost --setting port={server.BaseUri.Port} " +
                                   $"--setting user={user} --setting \"caBundle={authority.BundlePath}\" --secret-env LAB_PASSWORD");
                    output.WriteLine($"  certconnector connector add lab-one --type digicert-one --setting url={info.digicertOne} " +
                                   $"--setting \"caBundle={authority.BundlePath}\" --secret-env LAB_API_KEY");
                    output.WriteLine("Press Ctrl+C to stop.");
                }
                output.Flush();
                stopped.WaitHandle.WaitOne();
                errors.WriteLine("Stopping the Lab.");
                return 0;
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }
}
