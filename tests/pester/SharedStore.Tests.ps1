#Requires -Version 7.0
<#
    The shared PostgreSQL inventory as PowerShell users meet it: two pwsh sessions with different home folders (two
    hosts) on one store, its state through Get-CaStore, due imports under leases, the shared key, and clear errors.
#>

BeforeAll {
    $repo = [System.IO.Path]::GetFullPath("$PSScriptRoot/../..")
    $manifest = Join-Path $repo 'output/PSCertConnector/0.1.0/PSCertConnector.psd1'
    if (-not (Test-Path -LiteralPath $manifest)) { throw "The built module is missing: '$manifest'. Build it first." }
    . "$PSScriptRoot/TestProcess.ps1"
    . "$PSScriptRoot/PostgreSqlServer.ps1"
    $server = Start-TestPostgreSql
}

AfterAll {
    Stop-TestPostgreSql $server
}

Describe 'A PostgreSQL store shared by two hosts' {
    It 'shows one inventory to both, imports each due connector once, and keeps the password out of every output' {
        $connection = New-TestPostgreSqlDatabase $server
        $key = Join-Path $TestDrive 'store.key'
        $shared = @{ PSCERTCONNECTOR_STORE = $connection; PSCERTCONNECTOR_STORE_PASSWORD_FILE = $server.PasswordFile; PSCERTCONNECTOR_STORE_KEY_FILE = $key }
        $hostA = $shared + @{ PSCERTCONNECTOR_HOME = (Join-Path $TestDrive 'host-a') }
        $first = Invoke-Pwsh -Environment $hostA @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
New-CaStoreKey -Path '$key' | Out-Null
New-CaConnector -Name shared-ca -Type local -ImportEvery 15 -ImportEveryUnit Minutes | Out-Null
New-RaCertificateRequest -Subject 'CN=app01.contoso.com,O=Contoso' | Submit-AdcsRequest -Connector shared-ca -Template RA | Receive-AdcsCertificate | Out-Null
`$store = Get-CaStore
"engine=`$(`$store.Engine) connectors=`$(`$store.Connectors) certificates=`$(`$store.Certificates)"
"key=`$(`$store.HostSecretKey -eq `$store.StoreSecretKey -or -not `$store.StoreSecretKey)"
Get-CaStore | Format-List | Out-String
"@
        $first.ExitCode | Should -Be 0 -Because $first.Errors
        $first.Output | Should -Match 'engine=PostgreSQL connectors=1 certificates=1'
        $first.Output | Should -Match 'key=True'
        $first.Output | Should -Match 'Location\s*:\s*PostgreSQL 127\.0\.0\.1:\d+/psc_pester_\d+ as psc'
        $first.Output | Should -Not -Match ([regex]::Escape($server.Password))

        # Host A runs the due import of its connector (never imported yet); a second pass finds nothing due.
        $importA = Invoke-Pwsh -Environment $hostA -Script @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
`$runs = @(Import-CaCertificate -Due -LeaseSeconds 60)
"runs=`$(`$runs.Count) status=`$(`$runs[0].Status) connector=`$(`$runs[0].Connector)"
"again=`$(@(Import-CaCertificate -Due).Count)"
"@
        $importA.ExitCode | Should -Be 0 -Because $importA.Errors
        $importA.Output | Should -Match 'runs=1 status=Succeeded connector=shared-ca'
        $importA.Output | Should -Match 'again=0'

        # Host B: another home folder (Invoke-Pwsh gives each run its own), the same store and key. It sees host A's
        # connector, certificate and import, and finds nothing due: host A did it.
        $hostB = Invoke-Pwsh -Environment $shared -Script @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
(Get-CaCertificate | Select-Object -ExpandProperty CommonName) -join ','
"last=`$([bool](Get-CaConnector shared-ca).LastImportAt)"
"due=`$(@(Import-CaCertificate -Due).Count)"
"@
        $hostB.ExitCode | Should -Be 0 -Because $hostB.Errors
        $hostB.Output | Should -Match 'app01\.contoso\.com'
        $hostB.Output | Should -Match 'last=True'
        $hostB.Output | Should -Match 'due=0'
    }

    It 'tells a session whose password the server refuses what is wrong, without the password or a stack trace' {
        $connection = New-TestPostgreSqlDatabase $server
        $wrongPassword = Join-Path $TestDrive 'wrong.pw'
        Set-Content -LiteralPath $wrongPassword -Value 'not-the-password'
        $run = Invoke-Pwsh -Environment @{ PSCERTCONNECTOR_STORE = $connection; PSCERTCONNECTOR_STORE_PASSWORD_FILE = $wrongPassword } @"
Import-Module '$manifest'
try { Get-CaStore -ErrorAction Stop } catch { "id=`$(`$_.FullyQualifiedErrorId)"; `$_.Exception.Message }
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output | Should -Match 'id=StoreAuthenticationFailed'
        $run.Output | Should -Match 'refused user ''psc'''
        $run.Output | Should -Not -Match 'not-the-password'
        $run.Output | Should -Not -Match '   at '
    }
}
