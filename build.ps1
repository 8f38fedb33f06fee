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

function Invoke-Pester5 {
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version.Major -ge 5 } | Select-Object -First 1
    $suite = Join-Path $PSScriptRoot 'tests/pester'
    if (-not $pester) { Write-Host 'Pester: SKIPPED (Pester 5 is not installed: Install-Module Pester -MinimumVersion 5.0)'; return }
    if (-not (Test-Path $suite)) { Write-Host 'Pester: SKIPPED (no tests/pester suite yet)'; return }
    Import-Module $pester
    $result = Invoke-Pester -Path $suite -PassThru -Output Detailed
    if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed" }
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean'   { Remove-Item -Recurse -Force -ErrorAction SilentlyContinue output; Invoke-Dotnet clean PSCertConnector.sln -c $Configuration }
        'Build'   { Invoke-Dotnet build PSCertConnector.sln -c $Configuration }
        'Test'    { Invoke-Dotnet test PSCertConnector.sln -c $Configuration; Invoke-Pester5 }
        'Pester'  { Invoke-Pester5 }
        'Package' { Invoke-Dotnet publish src/PSCertConnector.Cli -c $Configuration -o output/certconnector }
    }
}
