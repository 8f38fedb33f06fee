<#
.SYNOPSIS
    Builds, tests and packages PSCertConnector.
.PARAMETER Task
    Clean, Build, Test (xunit, then Pester where pwsh and Pester 5 exist), Pester, or Package.
.PARAMETER Configuration
    Debug or Release (default Release).
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'Test', 'Pester', 'Package')]
    [string[]] $Task = @('Build'),
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

# Pester 5.7.1 is restored as a NuGet package (a PackageDownload in tests/PSCertConnector.PowerShell.Tests) whose tools/
# folder is the module; an installed Pester 5 is the fallback. Prints "Pester: N passed, N failed, N skipped" for test.sh.
function Find-Pester {
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        $line = & dotnet nuget locals global-packages --list 2>$null | Select-Object -First 1
        if ($line -match 'global-packages:\s*(.+)$') { $packages = $Matches[1].Trim() }
    }
    if ($packages) {
        $manifest = Join-Path $packages 'pester/5.7.1/tools/Pester.psd1'
        if (Test-Path -LiteralPath $manifest) { return $manifest }
    }
    $installed = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version.Major -eq 5 } | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { return $installed.Path }
    return $null
}

function Invoke-Pester5 {
    $pester = Find-Pester
    $suite = Join-Path $PSScriptRoot 'tests/pester'
    if (-not $pester) { throw 'Pester 5.7.1 is missing: run "dotnet restore tests/PSCertConnector.PowerShell.Tests" (it downloads it) or Install-Module Pester -RequiredVersion 5.7.1.' }
    Import-Module $pester -Force
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = $suite
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $configuration
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $result.PassedCount, ($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount), $result.SkippedCount)
    if ($result.Result -ne 'Passed') { throw "Pester failed: $($result.FailedCount) test(s), $($result.FailedBlocksCount) block(s), $($result.FailedContainersCount) container(s)" }
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean'   { Remove-Item -Recurse -Force -ErrorAction SilentlyContinue output; Invoke-Dotnet clean PSCertConnector.sln -c $Configuration }
        'Build'   { Invoke-Dotnet build PSCertConnector.sln -c $Configuration }
        'Test'    { Invoke-Dotnet test PSCertConnector.sln -c $Configuration; Invoke-Pester5 }
        'Pester'  { Invoke-Pester5 }
        # certconnector-lab beside certconnector: 'lab serve' runs it from there (and it alone needs ASP.NET Core).
        'Package' { Invoke-Dotnet publish src/PSCertConnector.Cli -c $Configuration -o output/certconnector; Invoke-Dotnet publish src/PSCertConnector.Lab.Host -c $Configuration -o output/certconnector }
    }
}
