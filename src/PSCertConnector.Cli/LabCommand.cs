using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;
using PSCertConnector.Core;
using PSCertConnector.Core.Protocols;
using PSCertConnector.Lab;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Cli
{
    internal sealed partial class App
    {
        /// <summary>lab serve: runs the Lab until Ctrl+C and tells the user how to point connectors at it.</summary>
        private int LabServe(CommandLine cl)
        {
            var port = cl.Int("port", 0, 65535) ?? 8443;
            var user = cl.Get("user") ?? "labuser";
            // The account's password is chosen by the user and never printed: CI logs keep what a server prints.
            var password = Secret(cl, "password-env", "password-file")
                ?? throw CommandLine.Usage("Give the Lab account's password with --password-env VAR or --password-file FILE (it is never printed).");
            var apiKey = Secret(cl, "api-key-env", "api-key-file"); // for the DigiCert ONE emulation; without it only client certificates get in
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
                server = LabServer.StartAsync(authority, new LabOptions { Port = port, Users = new Dictionary<string, string> { [user] = password }, ApiKey = apiKey, Negotiate = keytab != null }, _cancel)
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
                    digicertOne = server.BaseUri.AbsoluteUri.TrimEnd('/'),
                    publication = authority.Publication.BaseUri.AbsoluteUri,
                    caCertificates = authority.PublishedCertificateUrls,
                    crls = authority.PublishedCrlUrls,
                    user,
                };
                if (cl.Has("json"))
                {
                    _out.WriteLine(JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
                }
                else
                {
                    _out.WriteLine($"PSCertConnector Lab is serving on {info.baseUrl} (127.0.0.1 only).");
                    _out.WriteLine($"  CA                 {info.caName}");
                    _out.WriteLine($"  CA bundle          {info.caBundle}");
                    _out.WriteLine($"  CEP (password)     {info.cepUsernamePassword}");
                    _out.WriteLine($"  CES (password)     {info.cesUsernamePassword}");
                    _out.WriteLine($"  CEP (certificate)  {info.cepCertificate}");
                    _out.WriteLine($"  CES (certificate)  {info.cesCertificate}");
                    _out.WriteLine($"  Web Enrollment     {info.webEnrollment}");
                    _out.WriteLine($"  DigiCert ONE       {info.digicertOne}/mpki/api/v1/ ({(apiKey != null ? "x-api-key as given" : "client certificates only: pass --api-key-env for an API key")})");
                    _out.WriteLine($"  AIA and CDP (http) {info.publication}");
                    foreach (var url in info.caCertificates) _out.WriteLine($"    CA certificate   {url}");
                    foreach (var url in info.crls) _out.WriteLine($"    CRL              {url}");
                    _out.WriteLine($"  Approve or deny    POST {info.baseUrl}lab/admin/requests/<id>/approve|deny (or 'order approve' with labAdmin=true)");
                    _out.WriteLine($"  Account            {user} (password as given)");
                    _out.WriteLine();
                    _out.WriteLine("Point a connector at it:");
                    _out.WriteLine($"  certconnector connector add lab-ces --type adcs-ces --setting host=localhost --setting port={server.BaseUri.Port} " +
                                   $"--setting \"caName={authority.CaName}\" --setting user={user} --setting \"caBundle={authority.BundlePath}\" --setting labAdmin=true --secret-env LAB_PASSWORD");
                    _out.WriteLine($"  certconnector connector add lab-web --type adcs-web --setting host=localhost --setting port={server.BaseUri.Port} " +
                                   $"--setting user={user} --setting \"caBundle={authority.BundlePath}\" --setting labAdmin=true --secret-env LAB_PASSWORD");
                    _out.WriteLine($"  certconnector connector add lab-one --type digicert-one --setting url={info.digicertOne} " +
                                   $"--setting \"caBundle={authority.BundlePath}\" --setting labAdmin=true --secret-env LAB_API_KEY");
                    _out.WriteLine("Press Ctrl+C to stop.");
                }
                _out.Flush();
                _cancel.WaitHandle.WaitOne();
                _err.WriteLine("Stopping the Lab.");
                return 0;
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }
}
