using System;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// The Windows Task Scheduler definition (task XML, schema 1.2) that runs the maintenance pass on a repeating
    /// trigger: PowerShell imports the module from where it is installed and runs Invoke-CaMaintenance for the home.
    /// As SYSTEM (S-1-5-18), a group managed service account (logon type Password with no password kept: Windows
    /// fetches the gMSA's), or a service account whose password the registration gives. One instance at a time; a
    /// pass longer than an hour is stopped.
    /// </summary>
    public static class ScheduledTaskDefinition
    {
        public const string DefaultName = @"\PSCertConnector\Maintenance";

        /// <param name="powerShell">The PowerShell program (pwsh.exe, powershell.exe), or dotnet when PowerShell runs as a .NET tool.</param>
        /// <param name="powerShellAssembly">With dotnet: pwsh.dll, its first argument.</param>
        public static string Render(string powerShell, string? powerShellAssembly, string modulePath, string home, TimeSpan every, TaskAccountKind account, string? accountName, DateTimeOffset start)
        {
            if (every < TimeSpan.FromMinutes(1) || every > TimeSpan.FromDays(1))
                throw new PscException("InvalidInterval", FailureCategory.InvalidArgument, $"The interval {every} should be between 1 minute and 1 day.");
            if (account != TaskAccountKind.System && string.IsNullOrWhiteSpace(accountName))
                throw new PscException("AccountRequired", FailureCategory.InvalidArgument, "Name the account the task runs as (DOMAIN\\name, or DOMAIN\\name$ for a gMSA).");
            if (account == TaskAccountKind.GroupManagedServiceAccount && !accountName!.EndsWith("$", StringComparison.Ordinal))
                throw new PscException("InvalidAccount", FailureCategory.InvalidArgument, $"A group managed service account's name ends in '$' (e.g. CONTOSO\\gmsa-pki$); '{accountName}' does not.");
            // Single quotes inside the PowerShell command are doubled; the command goes in one argument.
            string Quote(string text) => "'" + text.Replace("'", "''") + "'";
            var command = $"$env:PSCERTCONNECTOR_HOME = {Quote(home)}; Import-Module {Quote(modulePath)} -ErrorAction Stop; " +
                          "$report = Invoke-CaMaintenance -ErrorAction Continue; if ($report.Failures -gt 0) { exit 1 }";
            var arguments = (powerShellAssembly != null ? "\"" + powerShellAssembly + "\" " : "") + "-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command \"" + command.Replace("\"", "\\\"") + "\"";
            var principal = account switch
            {
                TaskAccountKind.System => "<UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel>",
                TaskAccountKind.GroupManagedServiceAccount => $"<UserId>{Xml(accountName!)}</UserId><LogonType>Password</LogonType><RunLevel>LeastPrivilege</RunLevel>",
                _ => $"<UserId>{Xml(accountName!)}</UserId><LogonType>Password</LogonType><RunLevel>LeastPrivilege</RunLevel>",
            };
            var minutes = ((int)every.TotalMinutes).ToString(CultureInfo.InvariantCulture);
            return new StringBuilder()
                .AppendLine("<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
                .AppendLine("<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">")
                .AppendLine("  <RegistrationInfo><Description>PSCertConnector maintenance pass: due imports, pending orders, renewals, CRLs, notifications.</Description></RegistrationInfo>")
                .AppendLine("  <Triggers>")
                .AppendLine($"    <TimeTrigger><StartBoundary>{start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}</StartBoundary><Enabled>true</Enabled>" +
                            $"<Repetition><Interval>PT{minutes}M</Interval><StopAtDurationEnd>false</StopAtDurationEnd></Repetition></TimeTrigger>")
                .AppendLine("    <BootTrigger><Enabled>true</Enabled><Delay>PT2M</Delay></BootTrigger>")
                .AppendLine("  </Triggers>")
                .AppendLine($"  <Principals><Principal id=\"Author\">{principal}</Principal></Principals>")
                .AppendLine("  <Settings>")
                .AppendLine("    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy><DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>")
                .AppendLine("    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries><StartWhenAvailable>true</StartWhenAvailable>")
                .AppendLine("    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable><ExecutionTimeLimit>PT1H</ExecutionTimeLimit><Enabled>true</Enabled>")
                .AppendLine("  </Settings>")
                .AppendLine($"  <Actions Context=\"Author\"><Exec><Command>{Xml(powerShell)}</Command><Arguments>{Xml(arguments)}</Arguments></Exec></Actions>")
                .AppendLine("</Task>")
                .ToString();
        }

        /// <summary>The definition as the Task Scheduler reads a file of it: UTF-16 with its byte order mark, as the XML declaration says.</summary>
        public static byte[] FileBytes(string xml) => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(xml)).ToArray();

        private static string Xml(string text) => SecurityElement.Escape(text) ?? "";
    }
}
