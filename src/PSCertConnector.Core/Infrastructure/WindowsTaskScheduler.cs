using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// Registers a task definition with the Windows Task Scheduler: through its COM API (Schedule.Service) for SYSTEM and
    /// for an account with a password (the password goes to the API, never to a command line), and through schtasks.exe
    /// with an empty password for a gMSA, as Windows documents for those accounts. Windows only; not run on this project's
    /// Linux CI (the definition it registers is tested there).
    /// </summary>
    public static class WindowsTaskScheduler
    {
        private const int CreateOrUpdate = 6;
        private const int LogonPassword = 1;
        private const int LogonServiceAccount = 5;

        public static bool Available => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static void Register(string taskPath, string xml, TaskAccountKind account, string? accountName, string? password)
        {
            if (!Available)
                throw new PscException("TaskSchedulerUnavailable", FailureCategory.NotImplemented,
                    "The Windows Task Scheduler exists only on Windows. On Linux, run 'certconnector maintain --install-systemd' for a systemd timer, or write the task's definition with -XmlPath.");
            if (account == TaskAccountKind.GroupManagedServiceAccount)
            {
                var file = Path.Combine(Path.GetTempPath(), "psc-task-" + Guid.NewGuid().ToString("N") + ".xml");
                File.WriteAllText(file, xml, System.Text.Encoding.Unicode);
                try { Schtasks($"/Create /TN \"{taskPath}\" /XML \"{file}\" /RU \"{accountName}\" /RP \"\" /F"); }
                finally { File.Delete(file); }
                return;
            }
            var serviceType = Type.GetTypeFromProgID("Schedule.Service")
                ?? throw new PscException("TaskSchedulerUnavailable", FailureCategory.NotImplemented, "The Task Scheduler service's COM API (Schedule.Service) is not registered on this machine.");
            object service = Activator.CreateInstance(serviceType)!;
            try
            {
                Call(service, "Connect");
                var (folderPath, name) = Split(taskPath);
                object root = Call(service, "GetFolder", "\\");
                object folder;
                try { folder = Call(service, "GetFolder", folderPath); }
                catch (TargetInvocationException) { folder = Call(root, "CreateFolder", folderPath.TrimStart('\\'), Type.Missing); }
                if (account == TaskAccountKind.System) Call(folder, "RegisterTask", name, xml, CreateOrUpdate, "SYSTEM", Type.Missing, LogonServiceAccount, Type.Missing);
                else Call(folder, "RegisterTask", name, xml, CreateOrUpdate, accountName!, password ?? "", LogonPassword, Type.Missing);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is COMException com)
            {
                throw new PscException("TaskRegistrationFailed", FailureCategory.PermissionDenied,
                    $"The Task Scheduler refused the task '{taskPath}' (0x{com.HResult:X8}): {com.Message} Registering a task for another account needs an elevated session.", com) { Target = taskPath };
            }
            finally { Marshal.FinalReleaseComObject(service); }
        }

        private static (string Folder, string Name) Split(string taskPath)
        {
            int slash = taskPath.LastIndexOf('\\');
            return slash <= 0 ? ("\\", taskPath.TrimStart('\\')) : (taskPath.Substring(0, slash), taskPath.Substring(slash + 1));
        }

        private static object Call(object target, string method, params object[] arguments) =>
            target.GetType().InvokeMember(method, BindingFlags.InvokeMethod, null, target, arguments)!;

        private static void Schtasks(string arguments)
        {
            var start = new ProcessStartInfo("schtasks.exe", arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new PscException("TaskRegistrationFailed", FailureCategory.PermissionDenied, $"schtasks.exe exited with code {process.ExitCode}: {DisplayText.Escape(output.Trim(), 300)}");
        }
    }
}
