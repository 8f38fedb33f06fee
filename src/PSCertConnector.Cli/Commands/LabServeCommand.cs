using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using PSCertConnector.Core;

namespace PSCertConnector.Cli.Commands
{
    /// <summary>
    /// lab serve: runs certconnector-lab, the Lab server, from beside certconnector with the same arguments. The Lab is its
    /// own program so that certconnector needs only the .NET runtime, not ASP.NET Core.
    /// </summary>
    internal sealed class LabServeCommand : CliCommand
    {
        public const string HostName = "certconnector-lab";
        private const int SigTerm = 15; // the same number on Linux and macOS

        public LabServeCommand() : base("lab serve",
            "Run the AD CS-compatible Lab server (CEP, CES, /certsrv) over HTTPS on 127.0.0.1 until Ctrl+C, and its CA's certificates and CRLs over HTTP (/CertEnroll, as the AIA and CDP URLs of what it issues name them); prints its URLs and CA bundle.",
            new CliOption("port", "TCP port (default 8443; 0 picks a free one)"),
            new CliOption("http-port", "TCP port of the HTTP publication point (AIA and CDP); taken when the Lab's CA is first made (default: a free one) and kept, because its certificates name it"),
            new CliOption("user", "account name (default labuser)"),
            new CliOption("password-env", "the account's password from this environment variable (this or --password-file is required)"),
            new CliOption("password-file", "the account's password from this file"),
            new CliOption("ca-name", "the Lab CA's name (default 'PSCertConnector Lab CA'); fixed once the Lab home exists"),
            new CliOption("lab-home", "folder of the Lab's CA (default <home>/lab)"),
            new CliOption("api-key-env", "API key the DigiCert ONE emulation accepts, from this environment variable"),
            new CliOption("api-key-file", "the same, from a file"),
            new CliOption("scep-challenge-env", "a fixed SCEP challenge password the NDES emulation also accepts (for clients given one), from this environment variable"),
            new CliOption("scep-challenge-file", "the same, from a file"),
            new CliOption("scep-template", "the template the NDES emulation issues with (default Machine; ClientAuthApproval leaves requests pending)"),
            new CliOption("keytab", "also accept HTTP Negotiate (Kerberos) on the _Kerberos endpoints and /certsrv, with the HTTP/localhost key in this keytab"))
        {
        }

        public override int Run(CommandLine cl, Invocation run)
        {
            var start = StartInfo();
            foreach (var arg in run.Args) start.ArgumentList.Add(arg);
            start.RedirectStandardOutput = true; // forwarded line by line, so a caller holding certconnector's writers sees the Lab's output
            start.RedirectStandardError = true;
            using var lab = new Process { StartInfo = start };
            var writing = new object();
            void Forward(TextWriter to, string? line)
            {
                if (line == null) return;
                lock (writing)
                {
                    to.WriteLine(line);
                    to.Flush();
                }
            }
            lab.OutputDataReceived += (_, e) => Forward(run.Out, e.Data);
            lab.ErrorDataReceived += (_, e) => Forward(run.Err, e.Data);
            lab.Start();
            lab.BeginOutputReadLine();
            lab.BeginErrorReadLine();
            // Ctrl+C reaches the Lab from the terminal itself; SIGTERM and SIGHUP to certconnector (a service manager, a
            // background job) are passed on as SIGTERM, the Lab's orderly stop.
            using (run.Cancel.Register(() => Stop(lab)))
                lab.WaitForExit(); // also waits until both streams are forwarded to their end
            return lab.ExitCode;
        }

        /// <summary>certconnector-lab.dll run by the dotnet that runs certconnector, or the self-contained certconnector-lab.</summary>
        private static ProcessStartInfo StartInfo()
        {
            var here = AppContext.BaseDirectory;
            var dll = Path.Combine(here, HostName + ".dll");
            var apphost = Path.Combine(here, HostName + (OperatingSystem.IsWindows() ? ".exe" : ""));
            // <dotnet root>/shared/Microsoft.NETCore.App/<version>/
            var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
            var dotnet = Path.Combine(dotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(dll) && File.Exists(dotnet))
            {
                if (!Directory.Exists(Path.Combine(dotnetRoot, "shared", "Microsoft.AspNetCore.App")))
                    throw new PscException("LabRuntimeMissing", FailureCategory.ObjectNotFound,
                        $"The Lab needs the ASP.NET Core runtime, which the .NET in '{dotnetRoot}' does not have: install aspnetcore-runtime-10.0 (or the .NET SDK).");
                var start = new ProcessStartInfo(dotnet) { UseShellExecute = false };
                start.ArgumentList.Add("exec");
                start.ArgumentList.Add(dll);
                return start;
            }
            if (File.Exists(apphost)) return new ProcessStartInfo(apphost) { UseShellExecute = false };
            throw new PscException("LabNotInstalled", FailureCategory.ObjectNotFound,
                $"'lab serve' runs {HostName}, which is not beside certconnector in '{here}': build the solution (dotnet build) or put the {HostName} build (src/PSCertConnector.Lab.Host) there.");
        }

        private static void Stop(Process lab)
        {
            try
            {
                if (lab.HasExited) return;
                if (OperatingSystem.IsWindows()) return; // a console's Ctrl+C and Ctrl+Break reach every process on it
                kill(lab.Id, SigTerm);
            }
            catch (InvalidOperationException)
            {
                // It exited as we looked.
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
    }
}
