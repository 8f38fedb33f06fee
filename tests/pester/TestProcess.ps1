# Runs PowerShell scripts in a new 'pwsh -NonInteractive' process for the Pester suite: the module as a user's session
# meets it, with an environment of its own (native libraries such as GSSAPI and OpenLDAP read the real process
# environment, which $env: in this process does not change).

# This very PowerShell: its own executable, or 'dotnet pwsh.dll' when it runs as a .NET tool.
$pwsh = [Environment]::ProcessPath
$pwshPrefix = @()
if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $pwshPrefix = @(Join-Path $PSHOME 'pwsh.dll') }

# Runs a script in a new 'pwsh -NonInteractive' with its own home folder; returns exit code and all output as text.
function Invoke-Pwsh {
    param([Parameter(Mandatory = $true)] [string] $Script, [string] $WorkingDirectory = $TestDrive, [hashtable] $Environment = @{}, [int] $TimeoutSeconds = 240)
    $scriptFile = Join-Path $TestDrive ("script-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
    Set-Content -LiteralPath $scriptFile -Value $Script
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
    foreach ($argument in $pwshPrefix + @('-NoProfile', '-NonInteractive', '-File', $scriptFile)) { $start.ArgumentList.Add($argument) }
    $start.WorkingDirectory = $WorkingDirectory
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.Environment['PSCERTCONNECTOR_HOME'] = Join-Path $TestDrive ("home-{0}" -f [guid]::NewGuid().ToString('N'))
    $start.Environment['NO_COLOR'] = '1'
    foreach ($key in $Environment.Keys) { $start.Environment[$key] = $Environment[$key] }
    $process = [System.Diagnostics.Process]::Start($start)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill($true)
        throw "pwsh did not finish within $TimeoutSeconds s (a prompt in a non-interactive host would look like this)."
    }
    $process.WaitForExit()
    [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; Errors = $stderr.Result }
}
