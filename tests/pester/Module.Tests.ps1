#Requires -Version 7.0
<#
    The module as a user meets it, each case in a new pwsh -NonInteractive process: import from the built folder and by
    name, re-import, import beside other versions of our dependencies, the README's PowerShell quick start exactly as
    printed, and no prompt ever in a non-interactive host.
#>

BeforeAll {
    $repo = [System.IO.Path]::GetFullPath("$PSScriptRoot/../..")
    $moduleFolder = Join-Path $repo 'output/PSCertConnector/0.1.0'
    $manifest = Join-Path $moduleFolder 'PSCertConnector.psd1'
    if (-not (Test-Path -LiteralPath $manifest)) { throw "The built module is missing: '$manifest'. Build it first." }
    . "$PSScriptRoot/TestProcess.ps1"

    function Get-PackageFile([string] $RelativePath) {
        $packages = $env:NUGET_PACKAGES
        if (-not $packages) { $packages = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
        $path = Join-Path $packages $RelativePath
        if (-not (Test-Path -LiteralPath $path)) { throw "'$path' is missing: restore tests/PSCertConnector.PowerShell.Tests (it downloads it)." }
        $path
    }
}

Describe 'Importing the module' {
    It 'imports from the built folder, exports every cmdlet of the manifest and finds their help' {
        $run = Invoke-Pwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
(Get-Command -Module PSCertConnector).Count
(Get-Help Get-CaCertificate).Synopsis
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $lines = $run.Output -split "`n" | ForEach-Object Trim
        $lines[0] | Should -Be 39
        $lines[1] | Should -Match 'inventory'
    }

    It 'imports by name from a PSModulePath folder' {
        $modules = Join-Path $TestDrive 'Modules'
        $null = New-Item -ItemType Directory -Path (Join-Path $modules 'PSCertConnector') -Force
        Copy-Item -Recurse -LiteralPath $moduleFolder -Destination (Join-Path $modules 'PSCertConnector/0.1.0')
        $run = Invoke-Pwsh -Environment @{ PSModulePath = $modules } @'
$ErrorActionPreference = 'Stop'
(Get-Module -ListAvailable PSCertConnector).Version.ToString()
Import-Module PSCertConnector
New-CaConnector -Name lab -Type local | Select-Object -ExpandProperty Name
'@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        ($run.Output -split "`n" | ForEach-Object Trim) | Should -Contain '0.1.0'
        $run.Output | Should -Match 'lab'
    }

    It 'survives Remove-Module, Import-Module again and -Force, and keeps working' {
        $run = Invoke-Pwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
New-CaConnector -Name lab -Type local | Out-Null
Remove-Module PSCertConnector
Import-Module '$manifest'
Import-Module '$manifest' -Force
New-RaCertificateRequest -Subject 'CN=again' | Submit-AdcsRequest -Connector lab -Template RA | Receive-AdcsCertificate | Select-Object -ExpandProperty CommonName
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output.Trim() | Should -Be 'again'
    }

    It 'works beside other versions of BouncyCastle and SQLitePCLRaw loaded first, and leaves those to their owner' {
        $otherBouncyCastle = Get-PackageFile 'bouncycastle.cryptography/2.4.0/lib/net6.0/BouncyCastle.Cryptography.dll'
        $otherSqlite = Get-PackageFile 'sqlitepclraw.core/2.0.6/lib/netstandard2.0/SQLitePCLRaw.core.dll'
        $run = Invoke-Pwsh @"
`$ErrorActionPreference = 'Stop'
Add-Type -LiteralPath '$otherBouncyCastle'
Add-Type -LiteralPath '$otherSqlite'
Import-Module '$manifest'
New-CaConnector -Name lab -Type local | Out-Null
`$certificate = New-RaCertificateRequest -Subject 'CN=beside' | Submit-AdcsRequest -Connector lab -Template RA | Receive-AdcsCertificate
'issued ' + `$certificate.CommonName
# The other module's copies still answer, and are the ones its type names resolve to.
# (BouncyCastle keeps its assembly version at 2.0.0.0 across releases: the file version tells them apart.)
function FileVersion(`$assembly) { [System.Diagnostics.FileVersionInfo]::GetVersionInfo(`$assembly.Location).FileVersion }
'theirs bc ' + (FileVersion ([Org.BouncyCastle.Security.SecureRandom].Assembly)) + ' ' + [Org.BouncyCastle.Security.SecureRandom]::new().NextInt().GetType().Name
'theirs sqlite ' + (FileVersion ([SQLitePCL.raw].Assembly))
`$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'BouncyCastle.Cryptography', 'SQLitePCLRaw.core' }
foreach (`$assembly in `$loaded) { 'loaded {0} {1} in {2}' -f `$assembly.GetName().Name, (FileVersion `$assembly), [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$assembly).Name }
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output | Should -Match 'issued beside'
        $run.Output | Should -Match 'theirs bc 2\.4\.\S+ Int32'
        $run.Output | Should -Match 'theirs sqlite 2\.0\.6'
        $run.Output | Should -Match 'loaded BouncyCastle.Cryptography 2\.4\.\S+ in Default'
        $run.Output | Should -Match 'loaded BouncyCastle.Cryptography 2\.7\.\S+ in PSCertConnector'
        $run.Output | Should -Match 'loaded SQLitePCLRaw.core 2\.0\.6\S* in Default'
        $run.Output | Should -Match 'loaded SQLitePCLRaw.core 2\.1\.\S+ in PSCertConnector'
    }
}

Describe 'The README''s PowerShell quick start' {
    It 'runs exactly as printed in pwsh -NonInteractive, without an error' {
        $readme = Get-Content -Raw -LiteralPath (Join-Path $repo 'README.md')
        $section = $readme.Substring($readme.IndexOf('## PowerShell quick start'))
        $block = [regex]::Match($section, '```powershell\r?\n(?<code>.*?)```', 'Singleline').Groups['code'].Value
        $block | Should -Not -BeNullOrEmpty
        # From a folder that looks like the repository root: the README's relative paths are the ones a user has.
        $root = Join-Path $TestDrive 'quickstart'
        $null = New-Item -ItemType Directory -Path $root
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $root 'output') -Target (Join-Path $repo 'output')
        $run = Invoke-Pwsh -WorkingDirectory $root -Environment @{ PFX_PASSWORD = 'Quick-Start-Pa55'; HOME = $root } ("`$ErrorActionPreference = 'Stop'`n" + $block)
        $run.ExitCode | Should -Be 0 -Because "$($run.Errors)`n$($run.Output)"
        $run.Errors | Should -BeNullOrEmpty
        Join-Path $root 'web.pfx' | Should -Exist
        $run.Output | Should -Match 'What if: '
    }
}

Describe 'The about topic''s examples' {
    It 'run as printed, in order, against an embedded CA' {
        $about = Get-Content -LiteralPath (Join-Path $moduleFolder 'en-US/about_PSCertConnector.help.txt')
        $start = [array]::IndexOf($about, 'EXAMPLES')
        $end = [array]::IndexOf($about, 'NOTE')
        $start | Should -BeGreaterThan 0
        # The code is what is indented by eight spaces or more; the prose between blocks is indented by four.
        $code = $about[($start + 1)..($end - 1)] | Where-Object { $_ -match '^ {8}' } | ForEach-Object { $_.Substring(8) }
        $code.Count | Should -BeGreaterThan 10
        $root = Join-Path $TestDrive 'about'
        $null = New-Item -ItemType Directory -Path $root
        # The certreq.ini the example reads, as an administrator would have it.
        Set-Content -LiteralPath (Join-Path $root 'certreq.ini') -Value "[NewRequest]`nSubject = `"CN=ra02.contoso.com, O=Contoso`"`nKeyLength = 2048`nExportable = TRUE"
        $script = "`$ErrorActionPreference = 'Stop'`nImport-Module '$manifest'`n" + ($code -join "`n")
        $run = Invoke-Pwsh -WorkingDirectory $root -Environment @{ PFX_PASSWORD = 'About-Pa55'; HOME = $root } $script
        $run.ExitCode | Should -Be 0 -Because "$($run.Errors)`n$($run.Output)"
        Join-Path $root 'web01.pfx' | Should -Exist
        Join-Path $root 'web01.pem' | Should -Exist
    }
}

Describe 'Help' {
    It 'shows every parameter set of every cmdlet, with the common parameters' {
        $run = Invoke-Pwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
`$common = [System.Management.Automation.Cmdlet]::CommonParameters
foreach (`$command in Get-Command -Module PSCertConnector) {
    `$help = Get-Help `$command.Name -Full
    `$items = @(`$help.syntax.syntaxItem)
    if (`$items.Count -ne `$command.ParameterSets.Count) { "MISMATCH `$(`$command.Name): `$(`$items.Count) syntax items for `$(`$command.ParameterSets.Count) parameter sets" }
    `$shown = @(`$items | ForEach-Object { ((@(`$_.parameter) | ForEach-Object name) | Sort-Object) -join ',' })
    foreach (`$set in `$command.ParameterSets) {
        `$names = ((`$set.Parameters.Name | Where-Object { `$_ -notin `$common }) | Sort-Object) -join ','
        if (`$names -notin `$shown) { "MISMATCH `$(`$command.Name) set `$(`$set.Name): `$names" }
    }
    `$text = (Get-Help `$command.Name | Out-String -Width 1000)
    if (`$text -notmatch '\[<CommonParameters>\]') { "MISMATCH `$(`$command.Name): no [<CommonParameters>]" }
    if (`$text -match '[^\[]\]>') { "MISMATCH `$(`$command.Name): a garbled type in the syntax" }
}
'checked'
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        ($run.Output -split "`n" | Where-Object { $_ -match 'MISMATCH' }) | Should -BeNullOrEmpty
        $run.Output | Should -Match 'checked'
    }

    It 'says in its markdown (docs/en-US) exactly the syntax and parameter metadata the cmdlets have' {
        # What a contributor runs after changing a parameter; -Check writes nothing and fails on stale pages.
        $run = Invoke-Pwsh -WorkingDirectory $repo "& '$repo/tools/Update-HelpSyntax.ps1' -Manifest '$manifest' -Check; exit `$LASTEXITCODE"
        $run.ExitCode | Should -Be 0 -Because "$($run.Errors)`n$($run.Output)"
        $run.Output | Should -Match 'Help syntax is up to date for 39 cmdlets'
    }
}

Describe 'A non-interactive host is never prompted' {
    It 'a high-impact command without -Confirm:$false fails at once and changes nothing' {
        $run = Invoke-Pwsh -TimeoutSeconds 120 @"
Import-Module '$manifest'
New-CaConnector -Name lab -Type local | Out-Null
New-RaCertificateRequest -Subject 'CN=keep' | Submit-AdcsRequest -Connector lab -Template RA | Receive-AdcsCertificate | Out-Null
Get-CaCertificate | Revoke-Certificate -Reason KeyCompromise
'status ' + (Get-CaCertificate).Status
"@
        $run.Errors | Should -Match 'NonInteractive'
        $run.Output | Should -Match 'status Valid'
    }

    It 'the Intune subject formats need no -Subject and ask for nothing' {
        $run = Invoke-Pwsh -TimeoutSeconds 120 @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
(New-RaCertificateRequest -IntuneSubjectFormat CommonNameAsEmail -Upn 'ann@contoso.com' -Email 'ann@contoso.com').Subject
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output | Should -Match 'CN=ann@contoso.com'
    }

    It 'a format that needs the user''s name, given none, says so instead of asking' {
        $run = Invoke-Pwsh -TimeoutSeconds 120 @"
Import-Module '$manifest'
New-RaCertificateRequest -IntuneSubjectFormat CommonName -Upn 'ann@contoso.com'
"@
        $run.Errors | Should -Match 'common name'
        $run.Errors | Should -Not -Match 'NonInteractive'
    }
}

Describe 'Relative paths in connector settings' {
    It 'are made absolute against the PowerShell location, not the process''s current folder' {
        $work = Join-Path $TestDrive 'elsewhere'
        $null = New-Item -ItemType Directory -Path $work -Force
        $run = Invoke-Pwsh -WorkingDirectory $TestDrive @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
Set-Location -LiteralPath '$work'
`$null = New-CaConnector -Name rel -Type local -Setting @{ path = 'myca' }
Set-Location -LiteralPath '$TestDrive'
(Get-CaConnector -Name rel).Settings['path']
(New-RaCertificateRequest -Subject 'CN=rel.contoso.com' | Submit-AdcsRequest -Connector rel -Template WebServer).Status
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $lines = @($run.Output -split "`n" | ForEach-Object Trim | Where-Object { $_ })
        $lines[0] | Should -Be (Join-Path $work 'myca')
        $lines[1] | Should -Be 'Issued'
        Test-Path -LiteralPath (Join-Path $work 'myca/issuing.crt') | Should -BeTrue
    }
}

Describe 'Hostile names on the screen' {
    It 'a CSR whose CN holds terminal escapes is denied by the embedded CA, and its order shows escaped in table, list, warning and error' {
        # The CSR is built from raw DER (no parser of ours in between), as an attacker's tool would make it.
        $run = Invoke-Pwsh -TimeoutSeconds 180 @"
Import-Module '$manifest'
`$esc = [char]27
`$writer = [System.Formats.Asn1.AsnWriter]::new('DER')
`$null = `$writer.PushSequence(); `$null = `$writer.PushSetOf(); `$null = `$writer.PushSequence()
`$writer.WriteObjectIdentifier('2.5.4.3')
`$writer.WriteCharacterString('UTF8String', "evil`$esc[2J`$esc]0;owned`$([char]7)")
`$writer.PopSequence(); `$writer.PopSetOf(); `$writer.PopSequence()
`$name = [System.Security.Cryptography.X509Certificates.X500DistinguishedName]::new(`$writer.Encode())
`$key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
`$request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new(`$name, `$key, 'SHA256')
[IO.File]::WriteAllBytes((Join-Path `$PWD 'hostile.csr'), `$request.CreateSigningRequest())
New-CaConnector -Name lab -Type local | Out-Null
`$order = Submit-AdcsRequest -CsrPath ./hostile.csr -Connector lab -Template WebServer
'status ' + `$order.Status
'raw kept ' + (`$order.CommonName.IndexOf(`$esc) -ge 0)
`$order | Format-Table
`$order | Format-List
'certificates ' + @(Get-CaCertificate).Count
New-RaCertificateRequest -Subject "CN=x`$esc[5m"
"@
        $run.Output | Should -Match 'status Denied'
        $run.Output | Should -Match 'raw kept True' -Because 'the object keeps the value as the CA has it; only the screen sees it escaped'
        $run.Output | Should -Match 'certificates 0'
        $run.Output | Should -Match ([regex]::Escape('evil\x1B[2J\x1B]0;owned\x07'))
        $run.Errors | Should -Match 'RequestPolicyViolation|control character U\+001B'
        $run.Output.IndexOf([char]27) | Should -Be -1 -Because 'no raw escape reaches the terminal'
        $run.Output.IndexOf([char]7) | Should -Be -1
        $run.Errors.IndexOf([char]27) | Should -Be -1
    }
}
