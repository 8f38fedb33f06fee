#Requires -Version 7.0
<#
    Active Directory discovery through the cmdlets against a real directory and KDC: tests/samba/ad-dc.sh provisions a
    Samba AD DC on 127.0.0.1 (realm PSC.TEST) with the AD CS objects of seed.ldif, the user 'enroller' gets a Kerberos
    ticket with kinit, and each case runs in a new pwsh whose environment points GSSAPI and OpenLDAP at that ticket, the
    way a Linux host is set up. Needs root and Samba (.ci/run installs it); elsewhere the cases are skipped with that
    reason, and under CI (CI=true) they run regardless, so a missing piece fails.
#>

BeforeDiscovery {
    $missing = @('/usr/sbin/samba', '/usr/bin/ldbadd', '/usr/bin/kinit') | Where-Object { -not (Test-Path $_) }
    $script:why = if (-not $IsLinux) { 'needs Linux' } elseif ((& id -u) -ne '0') { 'needs root (the DC listens on ports 88 and 389)' } elseif ($missing) { "needs $($missing -join ', ')" } else { $null }
    $script:skipDirectory = $script:why -and $env:CI -ne 'true'
}

Describe 'Active Directory discovery against a Samba AD DC' -Skip:$skipDirectory {
    BeforeAll {
        $repo = [System.IO.Path]::GetFullPath("$PSScriptRoot/../..")
        $manifest = Join-Path $repo 'output/PSCertConnector/0.1.0/PSCertConnector.psd1'
        . "$PSScriptRoot/TestProcess.ps1"
        $dc = Join-Path ([System.IO.Path]::GetTempPath()) ("psc-pester-dc-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $inputs = Join-Path $TestDrive 'dc-input'
        $null = New-Item -ItemType Directory -Path $inputs
        $userPassword = 'Enr-' + [guid]::NewGuid().ToString('N').Substring(0, 12) + '!a'
        # The CA certificate the enrollment service publishes, and the DC's LDAPS certificate (for localhost).
        & openssl req -x509 -newkey rsa:2048 -nodes -keyout (Join-Path $inputs 'ca-key.pem') -out (Join-Path $inputs 'ca.der') -outform DER -subj '/CN=Pester Issuing CA' -days 2 2>$null
        & openssl req -x509 -newkey rsa:2048 -nodes -keyout (Join-Path $inputs 'tls-key.pem') -out (Join-Path $inputs 'tls.pem') -subj '/CN=localhost' -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -days 2 2>$null
        $env:PSC_DC_ADMIN_PASSWORD = 'Adm-' + [guid]::NewGuid().ToString('N').Substring(0, 12) + '!a'
        $env:PSC_DC_USER_PASSWORD = $userPassword
        $env:PSC_DC_CA_CERT = Join-Path $inputs 'ca.der'
        $env:PSC_DC_LAB_PORT = '8443'
        $env:PSC_DC_TLS_CERT = Join-Path $inputs 'tls.pem'
        $env:PSC_DC_TLS_KEY = Join-Path $inputs 'tls-key.pem'
        $started = & bash (Join-Path $repo 'tests/samba/ad-dc.sh') start $dc 2>&1
        if ($LASTEXITCODE -ne 0) { throw "The Samba AD DC did not start: $started" }
        $kinit = & bash -c "printf '%s\n' `"`$PSC_DC_USER_PASSWORD`" | KRB5_CONFIG='$dc/krb5.conf' KRB5CCNAME='FILE:$dc/ccache' kinit enroller@PSC.TEST" 2>&1
        if ($LASTEXITCODE -ne 0) { throw "kinit enroller@PSC.TEST failed: $kinit" }
        $kerberos = @{
            KRB5_CONFIG = "$dc/krb5.conf"; KRB5CCNAME = "FILE:$dc/ccache"; LDAPSASL_NOCANON = 'on'
            PSCERTCONNECTOR_HOME = (Join-Path $TestDrive 'ad-home')
        }
    }
    AfterAll {
        if ($dc) { & bash (Join-Path $repo 'tests/samba/ad-dc.sh') stop $dc 2>&1 | Out-Null }
        foreach ($name in 'PSC_DC_ADMIN_PASSWORD', 'PSC_DC_USER_PASSWORD', 'PSC_DC_CA_CERT', 'PSC_DC_LAB_PORT', 'PSC_DC_TLS_CERT', 'PSC_DC_TLS_KEY') { Remove-Item "env:$name" -ErrorAction Ignore }
    }

    It 'Find-AdcsEnrollmentService lists each enterprise CA with its CES endpoints, with the kinit ticket' {
        $run = Invoke-Pwsh -Environment $kerberos @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
`$cas = Find-AdcsEnrollmentService -Server localhost
'cas ' + @(`$cas).Count
'endpoints ' + @(`$cas | Where-Object { `$_.Endpoints }).Count
'type ' + `$cas[0].PSTypeNames[0]
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output | Should -Match 'cas [1-9]'
        $run.Output | Should -Match 'endpoints [1-9]'
        $run.Output | Should -Match 'type PSCertConnector.DirectoryEnrollmentService'
    }

    It 'Find-AdcsEnrollmentService -Template flags the templates that wait for approval' {
        $run = Invoke-Pwsh -Environment $kerberos @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
'approval ' + @(Find-AdcsEnrollmentService -Server localhost -Template | Where-Object RequiresApproval).Count
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output | Should -Match 'approval [1-9]'
    }

    It 'New-CaConnector -Discover -WhatIf creates nothing, and without -WhatIf creates connectors with their templates cached' {
        $run = Invoke-Pwsh -Environment $kerberos @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
New-CaConnector -Discover -Server localhost -WhatIf
'after whatif ' + @(Get-CaConnector).Count
`$made = New-CaConnector -Discover -Server localhost
'made ' + @(`$made).Count
'templates ' + @(Get-CaTemplate -Connector `$made[0].Name).Count
"@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output | Should -Match 'after whatif 0'
        $run.Output | Should -Match 'made [1-9]'
        $run.Output | Should -Match 'templates [1-9]'
    }

    It 'without a ticket, the error says how to get one' {
        $noTicket = $kerberos.Clone()
        $noTicket.KRB5CCNAME = "FILE:$dc/no-such-ccache"
        $run = Invoke-Pwsh -Environment $noTicket @"
Import-Module '$manifest'
try { Find-AdcsEnrollmentService -Server localhost -ErrorAction Stop } catch { 'id ' + `$_.FullyQualifiedErrorId; `$_.Exception.Message }
"@
        $run.Output | Should -Match 'id KerberosTicketMissing'
        $run.Output | Should -Match 'kinit'
    }
}
