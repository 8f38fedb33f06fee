#Requires -Version 5.1
<#
    Pester 5 suite: runs the PSCertConnector pipelines for real against the embedded CA (connector type 'local').
    Needs the built module (./build.ps1 -Task Build) and runs under Windows PowerShell 5.1 and PowerShell 7:
        ./build.ps1 -Task Build, Pester
    Every Describe block works in a home folder of its own (PSCERTCONNECTOR_HOME under $TestDrive) with one
    embedded-CA connector named 'lab', so no block depends on what another one did.
#>

BeforeAll {
    $originalHome = $env:PSCERTCONNECTOR_HOME
    $env:PSCERTCONNECTOR_HOME = Join-Path $TestDrive 'home'

    $manifest = [System.IO.Path]::GetFullPath("$PSScriptRoot/../../output/PSCertConnector/0.1.0/PSCertConnector.psd1")
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "The built module is missing: '$manifest' does not exist. Build it first with './build.ps1 -Task Build'."
    }
    Import-Module $manifest -Force -ErrorAction Stop
    . "$PSScriptRoot/LabServer.ps1"

    # A fresh home folder with one embedded-CA connector named 'lab'; returns that connector.
    function Initialize-TestHome {
        param([Parameter(Mandatory = $true)] [string] $Name)
        $folder = Join-Path $TestDrive "home-$Name"
        $null = New-Item -ItemType Directory -Path $folder -Force
        $env:PSCERTCONNECTOR_HOME = $folder
        New-CaConnector -Name lab -Type local -ErrorAction Stop
    }

    # Requests, submits (template RA issues at once) and receives a certificate; returns its inventory record.
    function New-TestCertificate {
        param([Parameter(Mandatory = $true)] [string] $CommonName, [switch] $Exportable)
        New-RaCertificateRequest -Subject "CN=$CommonName,O=Contoso" -Exportable:$Exportable -ErrorAction Stop |
            Submit-AdcsRequest -Connector lab -Template RA -ErrorAction Stop |
            Receive-AdcsCertificate -ErrorAction Stop
    }

    # What a CA manager does on the CA itself (the certsrv console): the request is issued there while the
    # inventory still records the order as Pending, until Get-AdcsOrder -Refresh asks the CA again.
    # No cmdlet approves behind the inventory's back, so this goes through the module's own Core library.
    function Approve-RequestOnCa {
        param([Parameter(Mandatory = $true)] [string] $Connector, [Parameter(Mandatory = $true)] [string] $RequestId)
        $core = [AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -eq 'PSCertConnector.Core' } | Select-Object -First 1
        if (-not $core) { throw 'PSCertConnector.Core is not loaded yet: run a PSCertConnector cmdlet first.' }
        $workspaceType = $core.GetType('PSCertConnector.Core.Operations.Workspace', $true)
        # The home is passed explicitly: PowerShell would turn $null into '' for a string argument.
        $workspace = $workspaceType::Open($env:PSCERTCONNECTOR_HOME, $null)
        try { $null = $workspace.Connect($Connector).Approve($RequestId, [System.Threading.CancellationToken]::None) }
        finally { $workspace.Dispose() }
    }

    # The INF from the RA setup guide (the same text as Samples.GuideCertreqIni in the xunit suites).
    $guideCertreqIni = @'
[Version]
Signature="$Windows NT$"

[NewRequest]
;Change to your,country code, company name and common name
Subject = "C=US, O=Contoso, CN=ra01.contoso.com"
KeySpec = 1
KeyLength = 2048
Exportable = TRUE
MachineKeySet = TRUE
SMIME = False
PrivateKeyArchive = FALSE
UserProtected = FALSE
UseExistingKeySet = FALSE
ProviderName = "Microsoft RSA SChannel Cryptographic Provider"
ProviderType = 12
RequestType = PKCS10
KeyUsage = 0xa0

[EnhancedKeyUsageExtension]
OID=1.3.6.1.5.5.7.3.2 // Client Authentication
'@
}

AfterAll {
    Remove-Module PSCertConnector -Force -ErrorAction SilentlyContinue
    $env:PSCERTCONNECTOR_HOME = $originalHome
}

Describe 'Connectors' {
    BeforeAll {
        $lab = Initialize-TestHome -Name connectors
    }

    It 'New-CaConnector -Name lab -Type local creates the connector with the default import schedule' {
        $lab.Name | Should -Be 'lab'
        $lab.Type | Should -Be 'local'
        $lab.Priority | Should -Be 5
        $lab.ImportEnabled | Should -BeTrue
        $lab.ImportEvery | Should -Be 15
        $lab.ImportEveryUnit | Should -Be 'Minutes'
        (Get-CaConnector -Name lab).Type | Should -Be 'local'
    }

    It 'Get-CaConnector | Test-CaConnector reports each connector as reachable' {
        $connectors = @(Get-CaConnector)
        $reports = @(Get-CaConnector | Test-CaConnector)

        $reports | Should -HaveCount $connectors.Count
        $report = $reports | Where-Object Connector -EQ 'lab'
        $report.Type | Should -Be 'local'
        $report.Success | Should -BeTrue
        $report.Message | Should -Not -BeNullOrEmpty
    }

    It 'Get-CaTemplate lists the embedded CA templates, WebServerApproval needing approval' {
        $templates = @(Get-CaTemplate -Connector lab)

        $templates.Name | Should -Contain 'RA'
        ($templates | Where-Object Name -EQ 'WebServerApproval').RequiresApproval | Should -BeTrue
        ($templates | Where-Object Name -EQ 'RA').RequiresApproval | Should -BeFalse
    }

    It 'New-CaConnector with an existing name fails with ConnectorExists' {
        { New-CaConnector -Name lab -Type local -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectorExists,PSCertConnector.Commands.NewCaConnectorCommand'
    }

    It 'New-CaConnector -WhatIf creates neither the connector nor its CA' {
        $result = New-CaConnector -Name 'whatif-lab' -Type local -WhatIf

        $result | Should -BeNullOrEmpty
        Get-CaConnector -Name 'whatif-lab' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        (Get-CaConnector).Name | Should -Not -Contain 'whatif-lab'
        Join-Path (Join-Path $env:PSCERTCONNECTOR_HOME 'ca') 'whatif-lab' | Should -Not -Exist
    }
}

Describe 'Requests and orders' {
    BeforeAll {
        $null = Initialize-TestHome -Name orders
    }

    It 'New-RaCertificateRequest | Submit-AdcsRequest -Connector lab -Template RA is issued at once' {
        $order = New-RaCertificateRequest -Subject 'CN=ra01,O=Contoso' | Submit-AdcsRequest -Connector lab -Template RA

        $order | Should -HaveCount 1
        $order.Status | Should -Be 'Issued'
        $order.Connector | Should -Be 'lab'
        $order.Template | Should -Be 'RA'
        $order.CommonName | Should -Be 'ra01'
        $order.RequestId | Should -Not -BeNullOrEmpty
        $order.KeyId | Should -Not -BeNullOrEmpty -Because 'the request key is kept to pair with the certificate'
    }

    It 'Receive-AdcsCertificate puts the issued certificate into the inventory with its key' {
        $order = New-RaCertificateRequest -Subject 'CN=ra02,O=Contoso' | Submit-AdcsRequest -Connector lab -Template RA

        $certificate = $order | Receive-AdcsCertificate

        $certificate.CommonName | Should -Be 'ra02'
        $certificate.Status | Should -Be 'Valid'
        $certificate.Template | Should -Be 'RA'
        $certificate.Source | Should -Be 'Enrolled'
        $certificate.HasPrivateKey | Should -BeTrue
        $fetched = Get-AdcsOrder -Id $order.Id
        $fetched.FetchedAt | Should -Not -BeNullOrEmpty
        $fetched.SerialNumber | Should -Be $certificate.SerialNumber
    }

    It 'A WebServerApproval request waits; Approve-AdcsRequest issues it and Receive-AdcsCertificate fetches it' {
        $pending = New-RaCertificateRequest -Subject 'CN=www.contoso.com' -SubjectAlternativeName 'dns=www.contoso.com' |
            Submit-AdcsRequest -Connector lab -Template WebServerApproval
        $pending.Status | Should -Be 'Pending'
        { $pending | Receive-AdcsCertificate -ErrorAction Stop } |
            Should -Throw -ErrorId 'OrderNotIssued,PSCertConnector.Commands.ReceiveAdcsCertificateCommand'

        $approved = Get-AdcsOrder -Id $pending.Id | Approve-AdcsRequest
        $approved.Status | Should -Be 'Issued'

        $certificate = $approved | Receive-AdcsCertificate
        $certificate.CommonName | Should -Be 'www.contoso.com'
        $certificate.Template | Should -Be 'WebServerApproval'
        $certificate.SubjectAlternativeNames | Should -Not -BeNullOrEmpty
        (Get-AdcsOrder -Id $pending.Id).FetchedAt | Should -Not -BeNullOrEmpty
    }

    It 'Deny-AdcsRequest -Confirm:$false leaves a Denied order' {
        $pending = New-RaCertificateRequest -Subject 'CN=denied.contoso.com' | Submit-AdcsRequest -Connector lab -Template WebServerApproval

        $denied = $pending | Deny-AdcsRequest -Confirm:$false

        $denied.Status | Should -Be 'Denied'
        (Get-AdcsOrder -Id $pending.Id).Status | Should -Be 'Denied'
        Get-CaCertificate -Name 'denied.contoso.com' | Should -BeNullOrEmpty
    }

    It 'Get-AdcsOrder -Id 9999 reports OrderNotFound' {
        { Get-AdcsOrder -Id 9999 -ErrorAction Stop } |
            Should -Throw -ErrorId 'OrderNotFound,PSCertConnector.Commands.GetAdcsOrderCommand'
    }

    It 'New-RaCertificateRequest -InfPath reads the guide certreq.ini and warns about each ignored key' {
        $inf = Join-Path $TestDrive 'certreq.ini'
        Set-Content -LiteralPath $inf -Value $guideCertreqIni -Encoding Ascii

        $request = New-RaCertificateRequest -InfPath $inf -WarningVariable infWarnings -WarningAction SilentlyContinue

        $request.CommonName | Should -Be 'ra01.contoso.com'
        $request.KeyAlgorithm | Should -Be 'Rsa'
        $request.KeyLength | Should -Be 2048
        $messages = @($infWarnings | ForEach-Object { $_.Message })
        foreach ($key in 'SMIME', 'PrivateKeyArchive', 'UserProtected', 'UseExistingKeySet', 'ProviderType') {
            @($messages -like "$key = *") | Should -HaveCount 1 -Because "the ignored key $key is reported, not silently dropped"
        }
        @($messages -like '*ProviderName*') | Should -HaveCount 1
    }
}

Describe 'Get-AdcsOrder -Status Pending -Refresh | Receive-AdcsCertificate' {
    BeforeAll {
        $null = Initialize-TestHome -Name pending
    }

    It 'fetches what the CA approved meanwhile and reports what is still pending' {
        $approvedOnCa = New-RaCertificateRequest -Subject 'CN=app01.contoso.com' | Submit-AdcsRequest -Connector lab -Template WebServerApproval
        $stillPending = New-RaCertificateRequest -Subject 'CN=app02.contoso.com' | Submit-AdcsRequest -Connector lab -Template WebServerApproval
        Approve-RequestOnCa -Connector lab -RequestId $approvedOnCa.RequestId
        (Get-AdcsOrder -Id $approvedOnCa.Id).Status | Should -Be 'Pending' -Because 'the inventory learns of the approval only on refresh'

        $received = @(Get-AdcsOrder -Status Pending -Refresh |
                Receive-AdcsCertificate -ErrorVariable receiveErrors -ErrorAction SilentlyContinue)

        $received | Should -HaveCount 1
        $received[0].CommonName | Should -Be 'app01.contoso.com'
        (Get-AdcsOrder -Id $approvedOnCa.Id).Status | Should -Be 'Issued'
        (Get-AdcsOrder -Id $approvedOnCa.Id).FetchedAt | Should -Not -BeNullOrEmpty
        $receiveErrors | Should -HaveCount 1
        $receiveErrors[0].FullyQualifiedErrorId | Should -Be 'OrderNotIssued,PSCertConnector.Commands.ReceiveAdcsCertificateCommand'
        (Get-AdcsOrder -Id $stillPending.Id).Status | Should -Be 'Pending'
    }
}

Describe 'Inventory certificates: revocation and export' {
    BeforeAll {
        $null = Initialize-TestHome -Name inventory
    }

    It 'Get-CaCertificate -ExpiringWithin 800 | Revoke-Certificate -Reason Superseded -WhatIf revokes nothing' {
        $null = New-TestCertificate -CommonName 'whatif01.contoso.com'
        $before = @(Get-CaCertificate -ExpiringWithin 800)
        $before.Count | Should -BeGreaterThan 0 -Because 'the RA template issues for 730 days'

        $result = Get-CaCertificate -ExpiringWithin 800 | Revoke-Certificate -Reason Superseded -WhatIf

        $result | Should -BeNullOrEmpty
        foreach ($certificate in $before) {
            $now = Get-CaCertificate -Thumbprint $certificate.Thumbprint
            $now.Status | Should -Be 'Valid'
            $now.RevokedAt | Should -BeNullOrEmpty
        }
    }

    It 'Revoke-Certificate -Reason KeyCompromise -Confirm:$false marks the certificate Revoked' {
        $certificate = New-TestCertificate -CommonName 'compromised.contoso.com'

        $revoked = $certificate | Revoke-Certificate -Reason KeyCompromise -Confirm:$false

        $revoked.Status | Should -Be 'Revoked'
        $revoked.RevocationReason | Should -Be 'KeyCompromise'
        $stored = Get-CaCertificate -SerialNumber $certificate.SerialNumber
        $stored.Status | Should -Be 'Revoked'
        $stored.RevokedAt | Should -Not -BeNullOrEmpty
    }

    It 'One unknown serial among three piped to Revoke-Certificate gives one error and two revocations' {
        $first = New-TestCertificate -CommonName 'batch01.contoso.com'
        $second = New-TestCertificate -CommonName 'batch02.contoso.com'
        $serials = $first.SerialNumber, '0BADC0FFEE', $second.SerialNumber

        $results = @($serials | ForEach-Object { [pscustomobject]@{ SerialNumber = $_ } } |
                Revoke-Certificate -Reason Superseded -Confirm:$false -ErrorVariable revokeErrors -ErrorAction SilentlyContinue)

        $results | Should -HaveCount 2
        $results.SerialNumber | Should -Be @($first.SerialNumber, $second.SerialNumber)
        $results | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        $revokeErrors | Should -HaveCount 1
        $revokeErrors[0].FullyQualifiedErrorId | Should -Be 'CertificateNotFound,PSCertConnector.Commands.RevokeCertificateCommand'
        $revokeErrors[0].TargetObject | Should -Be '0BADC0FFEE'
    }

    It 'Import-Csv | Revoke-Certificate -Queue queues each row; Invoke-CaMaintenance carries them out and Get-CaRevocationRequest shows the outcome' {
        $one = New-TestCertificate -CommonName 'queued01.contoso.com'
        $two = New-TestCertificate -CommonName 'queued02.contoso.com'
        $csv = Join-Path $TestDrive 'revocations.csv'
        @([pscustomobject]@{ SerialNumber = $one.SerialNumber; Reason = 'KeyCompromise' }, [pscustomobject]@{ SerialNumber = $two.SerialNumber; Reason = 'Superseded' }) |
            Export-Csv -Path $csv -NoTypeInformation
        $queued = Import-Csv $csv | Revoke-Certificate -Queue -Confirm:$false -ErrorAction Stop
        @($queued).Count | Should -Be 2
        $queued[0].PSTypeNames[0] | Should -Be 'PSCertConnector.RevocationRequest'
        ($queued | Out-String -Width 200) | Should -Match "$($one.SerialNumber)\s+lab\s+KeyCompromise\s+Queued"
        (Get-CaCertificate -Thumbprint $one.Thumbprint).Status | Should -Be 'Valid' -Because 'nothing is revoked until the maintenance pass'

        $pass = Invoke-CaMaintenance -Confirm:$false
        $pass.Revocations | Should -Be 2
        ($pass | Out-String -Width 200) | Should -Match 'Revoked'
        @(Get-CaRevocationRequest -Status Revoked).Count | Should -Be 2
        (Get-CaCertificate -Thumbprint $one.Thumbprint).RevocationReason | Should -Be 'KeyCompromise'
        (Get-CaCertificate -Thumbprint $two.Thumbprint).RevocationReason | Should -Be 'Superseded'
        @(Get-CaRevocationRequest -Status Queued).Count | Should -Be 0
    }

    It 'Export-CaCertificate -Format Pfx -Password writes a PFX file' {
        $certificate = New-TestCertificate -CommonName 'pfx01.contoso.com' -Exportable
        $path = Join-Path $TestDrive 'pfx01.pfx'
        $password = ConvertTo-SecureString 'x' -AsPlainText -Force

        $file = $certificate | Export-CaCertificate -FilePath $path -Format Pfx -Password $password

        $file.PSTypeNames[0] | Should -Be 'PSCertConnector.ExportedFile'
        $file.Path | Should -Be ([System.IO.Path]::GetFullPath($path))
        $file.IncludesPrivateKey | Should -BeTrue
        $path | Should -Exist
        (Get-Item -LiteralPath $path).Length | Should -BeGreaterThan 0
        [System.IO.File]::ReadAllBytes($path)[0] | Should -Be 0x30 -Because 'a PFX is a DER SEQUENCE'
        ($file | Out-String -Width 200) | Should -Match 'pfx01\.pfx\s+Pfx\s+False\s+True' -Because 'the table shows the file it wrote'
    }
}

Describe 'PKCS: New-CaPfxCertificate and Protect-CaPfxCertificate on the embedded CA' {
    BeforeAll {
        $null = Initialize-TestHome -Name pkcs
        $password = ConvertTo-SecureString 'Pester-Pfx-1' -AsPlainText -Force
        $bundle = Join-Path $TestDrive 'pkcs-bundle.pem'
        $ca = (Get-CaConnector -Name lab | Test-CaConnector)
        function New-Device([string] $Name) {
            $key = Join-Path $TestDrive "$Name.key"; $cert = Join-Path $TestDrive "$Name.pem"
            & openssl req -x509 -newkey rsa:2048 -nodes -keyout $key -out $cert -subj "/CN=$Name" -days 2 -addext 'keyUsage=keyEncipherment,digitalSignature' 2>$null
            [pscustomobject]@{ Key = $key; Pem = $cert; Certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($cert) }
        }
    }

    It 'New-CaPfxCertificate -Password writes a PFX OpenSSL opens, shows a table row, and forgets the key' {
        $path = Join-Path $TestDrive 'alice.pfx'
        $issued = New-CaPfxCertificate -Connector lab -Template User -Subject 'CN=Alice Pester' -FilePath $path -Password $password -ErrorAction Stop
        $issued.Status | Should -Be 'Issued'
        $issued.KeyArchived | Should -BeFalse
        ($issued | Out-String -Width 200) | Should -Match 'AES-256'
        (& openssl pkcs12 -in $path -passin pass:Pester-Pfx-1 -nokeys 2>&1) -join "`n" | Should -Match 'CN ?= ?Alice Pester'
        (Get-CaCertificate -Thumbprint $issued.Thumbprint).HasPrivateKey | Should -BeFalse
    }

    It 'New-CaPfxCertificate -RecipientCertificate encrypts to a device; -WhatIf makes nothing' {
        $device = New-Device 'pester-device'
        $path = Join-Path $TestDrive 'device.p7m'
        New-CaPfxCertificate -Connector lab -Template User -Subject 'CN=WhatIf' -FilePath $path -RecipientCertificate $device.Certificate -WhatIf | Should -BeNullOrEmpty
        Test-Path $path | Should -BeFalse
        $issued = New-CaPfxCertificate -Connector lab -Template User -Subject 'CN=Device Pester' -FilePath $path -RecipientCertificate $device.Certificate -ArchiveKey -ErrorAction Stop
        ($issued | Out-String -Width 200) | Should -Match 'Recipient'
        $inner = Join-Path $TestDrive 'device-inner.pfx'
        & openssl cms -decrypt -inform DER -in $path -recip $device.Pem -inkey $device.Key -out $inner 2>$null
        $LASTEXITCODE | Should -Be 0
        (& openssl pkcs12 -in $inner -passin pass: -nocerts -nodes 2>&1) -join "`n" | Should -Match 'PRIVATE KEY'
        (Get-CaCertificate -Thumbprint $issued.Thumbprint).HasPrivateKey | Should -BeTrue -Because 'ArchiveKey keeps it, encrypted'
    }

    It 'Both a password and a recipient is a PasswordAndRecipient error and nothing is sent' {
        $device = New-Device 'pester-both'
        $before = @(Get-AdcsOrder).Count
        New-CaPfxCertificate -Connector lab -Template User -Subject 'CN=Both' -FilePath (Join-Path $TestDrive 'both.pfx') -Password $password -RecipientCertificate $device.Certificate -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'PasswordAndRecipient*'
        @(Get-AdcsOrder).Count | Should -Be $before
    }

    It 'Get-ChildItem *.pfx | Protect-CaPfxCertificate re-encrypts each into a folder; a wrong password is a non-terminating error and the rest go on' {
        $in = Join-Path $TestDrive 'incoming'; $out = Join-Path $TestDrive 'outgoing'
        $null = New-Item -ItemType Directory -Path $in, $out -Force
        foreach ($name in 'one', 'two') {
            & openssl req -x509 -newkey rsa:2048 -nodes -keyout (Join-Path $in "$name.key") -out (Join-Path $in "$name.pem") -subj "/CN=smime-$name" -days 5 2>$null
            & openssl pkcs12 -export -in (Join-Path $in "$name.pem") -inkey (Join-Path $in "$name.key") -out (Join-Path $in "$name.pfx") -passout pass:Pester-Pfx-1
        }
        & openssl req -x509 -newkey rsa:2048 -nodes -keyout (Join-Path $in 'bad.key') -out (Join-Path $in 'bad.pem') -subj '/CN=smime-bad' -days 5 2>$null
        & openssl pkcs12 -export -in (Join-Path $in 'bad.pem') -inkey (Join-Path $in 'bad.key') -out (Join-Path $in 'bad.pfx') -passout pass:another-password
        $device = New-Device 'pester-smime-device'
        $done = Get-ChildItem (Join-Path $in '*.pfx') | Protect-CaPfxCertificate -Password $password -RecipientCertificate $device.Certificate -Destination $out -ErrorVariable failed -ErrorAction SilentlyContinue
        @($done).Count | Should -Be 2
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'PfxUnreadable*'
        Test-Path (Join-Path $out 'one.p7m') | Should -BeTrue
        Test-Path (Join-Path $out 'bad.p7m') | Should -BeFalse
        ($done | Out-String -Width 200) | Should -Match 'smime-one'
        @(Get-CaCertificate | Where-Object Connector -eq 'imported').Count | Should -Be 2
    }
}

Describe 'Renewal: Get-CaCertificate -NeedsRenewal | Submit-CaRenewal' {
    BeforeAll {
        $null = Initialize-TestHome -Name renewal
    }

    It 'finds nothing due by default, and with renewBeforeDays 800 renews each due certificate with a new key and links the two' {
        $first = New-TestCertificate -CommonName 'renew01.contoso.com'
        $second = New-TestCertificate -CommonName 'renew02.contoso.com'
        Get-CaCertificate -NeedsRenewal | Should -BeNullOrEmpty -Because 'a fresh 730-day certificate is far from its renewal window'

        Set-CaConnector -Name lab -Setting @{ renewBeforeDays = '800' }
        $due = @(Get-CaCertificate -NeedsRenewal)
        $due.SerialNumber | Should -Be @($first.SerialNumber, $second.SerialNumber)

        $renewals = @(Get-CaCertificate -NeedsRenewal | Submit-CaRenewal -Confirm:$false)

        $renewals | Should -HaveCount 2
        $renewals[0].PSTypeNames[0] | Should -Be 'PSCertConnector.Renewal'
        $renewals.RenewsSerialNumber | Should -Be @($first.SerialNumber, $second.SerialNumber)
        $renewals | ForEach-Object { $_.Status | Should -Be 'Issued'; $_.KeyReused | Should -BeFalse }
        $old = Get-CaCertificate -SerialNumber $first.SerialNumber
        $new = Get-CaCertificate -Thumbprint $renewals[0].Thumbprint
        $old.RenewedBy | Should -Be $new.Thumbprint
        $new.Renews | Should -Be $old.Thumbprint
        $new.Subject | Should -Be $old.Subject
        $new.Template | Should -Be 'RA'
        (Get-CaCertificate -NeedsRenewal).SerialNumber | Should -Not -Contain $first.SerialNumber
        ($renewals | Format-Table | Out-String -Width 200) | Should -Match $renewals[0].SerialNumber
    }

    It '-WhatIf renews nothing, and a revoked certificate among three is one error while the others are renewed' {
        $a = New-TestCertificate -CommonName 'bulk01.contoso.com'
        $b = New-TestCertificate -CommonName 'bulk02.contoso.com'
        $c = New-TestCertificate -CommonName 'bulk03.contoso.com'
        $b | Revoke-Certificate -Reason KeyCompromise -Confirm:$false | Out-Null

        $a, $b, $c | Submit-CaRenewal -WhatIf -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        (Get-CaCertificate -SerialNumber $a.SerialNumber).RenewedBy | Should -BeNullOrEmpty

        $results = @($a, $b, $c | Submit-CaRenewal -Confirm:$false -ErrorVariable renewErrors -ErrorAction SilentlyContinue)

        $results.RenewsSerialNumber | Should -Be @($a.SerialNumber, $c.SerialNumber)
        $renewErrors | Should -HaveCount 1
        $renewErrors[0].FullyQualifiedErrorId | Should -Be 'CertificateRevoked,PSCertConnector.Commands.SubmitCaRenewalCommand'
    }

    It '-ReuseKey -RevokeOld keeps the key and revokes the predecessor as Superseded' {
        $old = New-TestCertificate -CommonName 'reuse01.contoso.com'

        $renewal = $old | Submit-CaRenewal -ReuseKey -RevokeOld -Confirm:$false

        $renewal.KeyReused | Should -BeTrue
        $renewal.PredecessorRevoked | Should -BeTrue
        $stored = Get-CaCertificate -SerialNumber $old.SerialNumber
        $stored.Status | Should -Be 'Revoked'
        $stored.RevocationReason | Should -Be 'Superseded'
        $oldKey = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($old.Der).GetPublicKeyString()
        $newKey = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new((Get-CaCertificate -Thumbprint $renewal.Thumbprint).Der).GetPublicKeyString()
        $newKey | Should -Be $oldKey
    }

    It 'a certificate installed in CurrentUser\My is replaced there by its successor, then -PostRenewal runs' {
        $old = New-TestCertificate -CommonName 'store01.contoso.com' -Exportable
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
        try {
            $old | Install-RaCertificate -StoreLocation CurrentUser | Should -Be $old.Thumbprint
            $script:seen = $null

            $renewal = $old | Submit-CaRenewal -Confirm:$false -PostRenewal { $script:seen = $_.SerialNumber }

            $renewal.DeployedTo | Should -Be @('CurrentUser\My')
            $script:seen | Should -Be $renewal.SerialNumber
            $store.Open('ReadOnly')
            $placed = @($store.Certificates.Find('FindByThumbprint', $renewal.Thumbprint, $false))
            $placed | Should -HaveCount 1
            $placed[0].HasPrivateKey | Should -BeTrue
            $store.Close()
        }
        finally {
            $store.Open('ReadWrite')
            foreach ($thumbprint in @($old.Thumbprint, $renewal.Thumbprint)) {
                if ($thumbprint) { $store.Certificates.Find('FindByThumbprint', $thumbprint, $false) | ForEach-Object { $store.Remove($_) } }
            }
            $store.Close()
        }
    }

    It 'a failing -PostRenewal is that renewal''s error' {
        $old = New-TestCertificate -CommonName 'post01.contoso.com'
        $renewal = $old | Submit-CaRenewal -Confirm:$false -PostRenewal { throw 'reload failed' } -ErrorVariable postErrors -ErrorAction SilentlyContinue
        $postErrors | Should -HaveCount 1
        $postErrors[0].FullyQualifiedErrorId | Should -Be 'PostRenewalCommandFailed,PSCertConnector.Commands.SubmitCaRenewalCommand'
        $renewal.Status | Should -Be 'Issued' -Because 'the certificate was renewed; only the command after it failed'
    }

    It 'a bad policy setting names the setting, and -Due with a serial is refused' {
        { Set-CaConnector -Name lab -Setting @{ 'renewAtPercent:RA' = '0' } -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSetting,PSCertConnector.Commands.SetCaConnectorCommand'
        { Submit-CaRenewal -Due -SerialNumber 01 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'DueWithCertificates,PSCertConnector.Commands.SubmitCaRenewalCommand'
    }
}

Describe 'Import-CaCertificate' {
    BeforeAll {
        $null = Initialize-TestHome -Name import
    }

    It 'Get-CaConnector -Name lab | Import-CaCertificate -BusinessUnit Finance -Tag web, prod imports what the CA issued' {
        # Issued by the CA but never received: only the import brings them into the inventory.
        foreach ($name in 'app01.contoso.com', 'app02.contoso.com') {
            $null = New-RaCertificateRequest -Subject "CN=$name" | Submit-AdcsRequest -Connector lab -Template RA
        }
        Get-CaCertificate | Should -BeNullOrEmpty

        $run = Get-CaConnector -Name lab | Import-CaCertificate -BusinessUnit Finance -Tag web, prod

        $run | Should -HaveCount 1
        $run.Connector | Should -Be 'lab'
        $run.Mode | Should -Be 'Incremental'
        $run.Status | Should -Be 'Succeeded'
        $run.Imported | Should -Be 2
        $run.Updated | Should -Be 0
        $run.EndWatermark | Should -Not -BeNullOrEmpty
        $run.FinishedAt | Should -Not -BeNullOrEmpty
        (Get-CaConnector -Name lab).LastImportAt | Should -Not -BeNullOrEmpty

        $imported = @(Get-CaCertificate -BusinessUnit Finance)
        $imported | Should -HaveCount 2
        foreach ($certificate in $imported) {
            $certificate.Connector | Should -Be 'lab'
            $certificate.Source | Should -Be 'Imported'
            $certificate.Tags | Should -Contain 'web'
            $certificate.Tags | Should -Contain 'prod'
        }
        @(Get-CaCertificate -Tag prod) | Should -HaveCount 2
    }
}

Describe 'Import selection and the approval policy on the embedded CA' {
    BeforeAll {
        $null = Initialize-TestHome -Name selection
        Set-CaConnector -Name lab -Domain contoso.com -Setting @{ autoApprove = 'WebServerApproval' } -ErrorAction Stop
    }

    It 'Import-CaCertificate -WhatIf previews, a -Template selection imports only that template, and Format-List shows the selection' {
        foreach ($template in 'RA', 'WebServer') {
            $null = New-RaCertificateRequest -Subject "CN=sel-$($template.ToLower()).contoso.com" | Submit-AdcsRequest -Connector lab -Template $template -ErrorAction Stop
        }
        $preview = Import-CaCertificate -Connector lab -Template WebServer -WhatIf
        $preview.PSObject.TypeNames[0] | Should -Be 'PSCertConnector.ImportPreview'
        $preview.WouldAdd | Should -Be 1
        $preview.LeftOut | Should -Be 1
        ($preview | Out-String) | Should -Match 'WouldAdd\s+AlreadyStored\s+LeftOut'
        Get-CaCertificate | Should -BeNullOrEmpty -Because '-WhatIf stored nothing'

        Set-CaConnector -Name lab -Setting @{ importTemplates = 'RA' } -ErrorAction Stop
        (Get-CaConnector -Name lab | Format-List | Out-String) | Should -Match 'ImportSelection\s*:\s*template RA'
        $run = Import-CaCertificate -Connector lab -ErrorAction Stop
        $run.Imported | Should -Be 1
        (Get-CaCertificate).CommonName | Should -Be 'sel-ra.contoso.com'
        { Set-CaConnector -Name lab -Setting @{ importStatus = 'valid' } -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSetting*'
    }

    It 'An autoApprove template inside the domain is issued at once; one outside waits with its finding and takes -Force' {
        $auto = New-RaCertificateRequest -Subject 'CN=auto.contoso.com' -SubjectAlternativeName 'dns=auto.contoso.com' |
            Submit-AdcsRequest -Connector lab -Template WebServerApproval -ErrorAction Stop
        $auto.Status | Should -Be 'Issued'

        $outside = New-RaCertificateRequest -Subject 'CN=shop.fabrikam.com' -SubjectAlternativeName 'dns=shop.fabrikam.com' |
            Submit-AdcsRequest -Connector lab -Template WebServerApproval -WarningVariable held -WarningAction SilentlyContinue -ErrorAction Stop
        $outside.Status | Should -Be 'Pending'
        ($held -join ' ') | Should -Match 'was not approved automatically'
        $order = Get-AdcsOrder -Id $outside.Id
        $order.ApprovalFindings.Rule | Should -Be 'NameOutsideAllowedDomains'
        ($order | Out-String -Width 200) | Should -Match 'Pending \(1 risk\)'
        ($order | Format-List | Out-String) | Should -Match 'NameOutsideAllowedDomains: .*shop\.fabrikam\.com'

        $order | Approve-AdcsRequest -ErrorAction SilentlyContinue -ErrorVariable refused | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ApprovalChecksFailed*'
        $refused[0].Exception.Message | Should -Match 'Approve-AdcsRequest -Id \d+ -Force'
        $forced = $order | Approve-AdcsRequest -Force -WarningAction SilentlyContinue -ErrorAction Stop
        $forced.Status | Should -Be 'Issued'
        (Get-CaEvent -Id 1007).Message | Should -Match 'approved by hand over the approval checks'
    }
}

Describe 'AD CS over HTTPS against the Lab server' {
    BeforeAll {
        $env:PSCERTCONNECTOR_HOME = Join-Path $TestDrive 'lab-home'
        $env:PSC_PESTER_LAB_PASSWORD = 'Pester-Lab-Pa55'
        $env:PSC_PESTER_SCEP_CHALLENGE = 'Pester-Scep-Challenge'
        $server = Start-LabServer -InfoPath (Join-Path $TestDrive 'lab.json') -Arguments @('--password-env', 'PSC_PESTER_LAB_PASSWORD', '--scep-challenge-env', 'PSC_PESTER_SCEP_CHALLENGE')
        $lab = $server.Process
        $info = $server.Info
        $credential = [pscredential]::new('labuser', (ConvertTo-SecureString $env:PSC_PESTER_LAB_PASSWORD -AsPlainText -Force))
        $port = ([uri]$info.baseUrl).Port
        $settings = @{ host = 'localhost'; port = "$port"; caName = $info.caName; caBundle = $info.caBundle }
    }
    AfterAll {
        Stop-LabServer $lab
    }

    It 'New-CaConnector -Type adcs-ces with -Credential lists the Lab templates' {
        New-CaConnector -Name lab-ces -Type adcs-ces -Credential $credential -Setting $settings -ErrorAction Stop | Out-Null
        (Get-CaTemplate -Connector lab-ces -Refresh).Name | Should -Contain 'WebServerApproval'
        (Get-CaConnector -Name lab-ces).HasSecret | Should -BeTrue
    }

    It 'A connector through an authenticating proxy (tinyproxy) says its route, and fails clearly without the proxy account' {
        $folder = Join-Path $TestDrive 'tinyproxy'
        $null = New-Item -ItemType Directory -Path $folder -Force
        if ($IsLinux) { chmod 777 $folder }
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $proxyPort = $listener.LocalEndpoint.Port; $listener.Stop()
        $config = Join-Path $folder 'tinyproxy.conf'
        $lines = @("Port $proxyPort", 'Listen 127.0.0.1', 'Timeout 60', 'Allow 127.0.0.1', "LogFile `"$folder/tinyproxy.log`"", 'LogLevel Info', 'BasicAuth pester Pester-Proxy-1')
        if ((id -u) -eq '0') { $lines += 'User nobody', 'Group nogroup' }
        Set-Content -Path $config -Value $lines
        $proxy = Start-Process -FilePath /usr/bin/tinyproxy -ArgumentList '-d', '-c', $config -PassThru -RedirectStandardError (Join-Path $folder 'stderr.txt')
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while ($true) {
                try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $proxyPort).Dispose(); break }
                catch { if ([DateTime]::UtcNow -gt $deadline -or $proxy.HasExited) { throw "tinyproxy did not start: $(Get-Content (Join-Path $folder 'stderr.txt') -Raw)" }; Start-Sleep -Milliseconds 100 }
            }
            $proxied = $settings.Clone(); $proxied.proxy = "http://127.0.0.1:$proxyPort"
            New-CaConnector -Name lab-proxied -Type adcs-ces -Credential $credential -Setting $proxied -ErrorAction Stop | Out-Null
            $refused = Test-CaConnector -Name lab-proxied
            $refused.Success | Should -BeFalse
            $refused.Message | Should -Match 'asked for credentials \(407\).*Set-CaConnector lab-proxied -ProxyCredential'

            $proxyAccount = [pscredential]::new('pester', (ConvertTo-SecureString 'Pester-Proxy-1' -AsPlainText -Force))
            Set-CaConnector -Name lab-proxied -ProxyCredential $proxyAccount -ErrorAction Stop
            (Get-CaConnector -Name lab-proxied).HasProxyCredential | Should -BeTrue
            $report = Test-CaConnector -Name lab-proxied
            $report.Success | Should -BeTrue -Because $report.Message
            $report.Route | Should -Be "through http://127.0.0.1:$proxyPort (from the connector's proxy setting, as pester)"
            ($report | Out-String) | Should -Match 'Route'
            Get-Content (Join-Path $folder 'tinyproxy.log') -Raw | Should -Match "CONNECT localhost:$port"
            (Export-CaConnectorConfiguration | Out-String) | Should -Not -Match 'Pester-Proxy-1'
        }
        finally { Stop-Process -InputObject $proxy -Force -ErrorAction SilentlyContinue }
    }

    It 'A request waits for approval; CES cannot approve, the CA manager approves on the CA, and Get-AdcsOrder -Refresh | Receive-AdcsCertificate fetches it' {
        $order = New-RaCertificateRequest -Subject 'CN=pester-ces.contoso.com' |
            Submit-AdcsRequest -Connector lab-ces -Template WebServerApproval -ErrorAction Stop
        $order.Status | Should -Be 'Pending'
        { $order | Approve-AdcsRequest -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'CapabilityNotSupported*'
        # What a CA manager does on the Lab (the certsrv console on real AD CS): its admin endpoint, over the Lab's own TLS.
        $decision = Invoke-RestMethod -Method Post -Uri ($info.baseUrl + "lab/admin/requests/$($order.RequestId)/approve") `
            -Authentication Basic -Credential $credential -SkipCertificateCheck
        $decision.status | Should -Be 'issued'
        $refreshed = Get-AdcsOrder -Id $order.Id -Refresh
        $refreshed.Status | Should -Be 'Issued'
        $certificate = $refreshed | Receive-AdcsCertificate -ErrorAction Stop
        $certificate.CommonName | Should -Be 'pester-ces.contoso.com'
    }

    It 'Submit-AdcsRequest -CsrPath takes the template from an OpenSSL CSR''s template extension, and the chain is fetched over the Lab''s http AIA' {
        $csr = Join-Path $TestDrive 'openssl-ext.csr'
        & openssl req -new -newkey rsa:2048 -nodes -keyout (Join-Path $TestDrive 'openssl-ext.key') -subj '/CN=pester-ext.contoso.com' `
            -addext '1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:WebServer' -out $csr 2>$null
        $LASTEXITCODE | Should -Be 0
        $order = Submit-AdcsRequest -Connector lab-ces -CsrPath $csr -ErrorAction Stop
        $order.Status | Should -Be 'Issued'
        $order.Template | Should -Be 'WebServer'

        $certificate = $order | Receive-AdcsCertificate -ErrorAction Stop
        $leaf = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($certificate.Der)
        $aia = $leaf.Extensions | Where-Object { $_.Oid.Value -eq '1.3.6.1.5.5.7.1.1' }
        $issuerUrl = [regex]::Match($aia.Format($false), 'http://[^\s,]+\.crt').Value
        $issuerUrl | Should -BeLike 'http://localhost:*/CertEnroll/*'
        $issuer = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new((Invoke-WebRequest -Uri $issuerUrl -UseBasicParsing).Content)
        $issuer.Subject | Should -Be $leaf.Issuer
    }

    It 'NDES (adcs-ndes): New-RaCertificateRequest | Submit-AdcsRequest enrolls over SCEP with a one-time challenge, and OpenSSL verifies the certificate' {
        New-CaConnector -Name lab-ndes -Type adcs-ndes -Credential $credential -Setting $settings -ErrorAction Stop | Out-Null
        $test = Test-CaConnector -Name lab-ndes
        $test.Success | Should -BeTrue -Because $test.Message
        $test.Message | Should -Match 'NDES RA'
        $order = New-RaCertificateRequest -Subject 'CN=pester-ndes-device' | Submit-AdcsRequest -Connector lab-ndes -ErrorAction Stop
        $order.Status | Should -Be 'Issued'
        $order.Template | Should -Be 'SCEP'
        $certificate = $order | Receive-AdcsCertificate -ErrorAction Stop
        $certificate.HasPrivateKey | Should -BeTrue
        $pem = Join-Path $TestDrive 'ndes.pem'
        Set-Content -Path $pem -Value ("-----BEGIN CERTIFICATE-----`n" + [Convert]::ToBase64String($certificate.Der, 'InsertLineBreaks') + "`n-----END CERTIFICATE-----")
        (& openssl verify -CAfile $info.caBundle $pem) | Should -Match ': OK'
        (Get-CaConnector -Name lab-ndes | Out-String -Width 200) | Should -Match 'adcs-ndes'
    }

    It 'A scep connector with the challenge as -ApiKey enrolls; a wrong challenge is a SubmitFailed error naming badRequest and the pipeline goes on' {
        $challenge = ConvertTo-SecureString $env:PSC_PESTER_SCEP_CHALLENGE -AsPlainText -Force
        New-CaConnector -Name lab-scep -Type scep -ApiKey $challenge -Setting @{ url = $info.scep; caBundle = $info.caBundle } -ErrorAction Stop | Out-Null
        $wrong = ConvertTo-SecureString 'not-the-challenge' -AsPlainText -Force
        New-CaConnector -Name lab-scep-wrong -Type scep -ApiKey $wrong -Setting @{ url = $info.scep; caBundle = $info.caBundle } -ErrorAction Stop | Out-Null
        $orders = 'lab-scep-wrong', 'lab-scep' | ForEach-Object {
            New-RaCertificateRequest -Subject "CN=pester-$_" | Submit-AdcsRequest -Connector $_ -ErrorVariable +failed -ErrorAction SilentlyContinue
        }
        @($orders).Count | Should -Be 1
        $orders[0].Status | Should -Be 'Issued'
        $orders[0].Connector | Should -Be 'lab-scep'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SubmitFailed*'
        $failed[0].Exception.Message | Should -Match 'badRequest' -Because 'the SCEP failInfo is named'
        $failed[0].Exception.Message | Should -Not -Match 'not-the-challenge'
        (Get-CaEvent -Id 4001 | Select-Object -First 1).Connector | Should -Be 'lab-scep' -Because 'SCEP enrollments are logged in the SCEP area'
    }

    It 'A scep connector enrolls against Debian''s scepserver (micromdm) over HTTP with its CA pinned, and OpenSSL verifies the certificate' {
        $depot = Join-Path $TestDrive 'scep-depot'
        & /usr/bin/scepserver ca -init -depot $depot -keySize 2048 *> $null
        $LASTEXITCODE | Should -Be 0
        $caPem = Join-Path $depot 'ca.pem'
        $fingerprint = ((& openssl x509 -in $caPem -noout -fingerprint -sha256) -split '=')[1]
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $scepPort = $listener.LocalEndpoint.Port; $listener.Stop()
        $scep = Start-Process -FilePath /usr/bin/scepserver -ArgumentList '-depot', $depot, '-port', "$scepPort", '-challenge', 'pester-micromdm' -PassThru `
            -RedirectStandardError (Join-Path $TestDrive 'scepserver.err') -RedirectStandardOutput (Join-Path $TestDrive 'scepserver.out')
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while ($true) {
                try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $scepPort).Dispose(); break }
                catch { if ([DateTime]::UtcNow -gt $deadline -or $scep.HasExited) { throw 'scepserver did not start' }; Start-Sleep -Milliseconds 100 }
            }
            $challenge = ConvertTo-SecureString 'pester-micromdm' -AsPlainText -Force
            New-CaConnector -Name micromdm -Type scep -ApiKey $challenge -Setting @{ url = "http://127.0.0.1:$scepPort/scep"; caFingerprint = $fingerprint } -ErrorAction Stop | Out-Null
            (Test-CaConnector -Name micromdm).Success | Should -BeTrue
            $order = New-RaCertificateRequest -Subject 'CN=pester-micromdm-device' | Submit-AdcsRequest -Connector micromdm -ErrorAction Stop
            $order.Status | Should -Be 'Issued'
            $certificate = $order | Receive-AdcsCertificate -ErrorAction Stop
            $pem = Join-Path $TestDrive 'micromdm.pem'
            Set-Content -Path $pem -Value ("-----BEGIN CERTIFICATE-----`n" + [Convert]::ToBase64String($certificate.Der, 'InsertLineBreaks') + "`n-----END CERTIFICATE-----")
            (& openssl verify -CAfile $caPem $pem) | Should -Match ': OK'
        }
        finally { Stop-Process -InputObject $scep -Force -ErrorAction SilentlyContinue }
    }

    It 'Revoke-Certificate through CES fails with CapabilityNotSupported' {
        $certificate = Get-CaCertificate -Connector lab-ces | Select-Object -First 1
        $certificate | Revoke-Certificate -Reason KeyCompromise -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'CapabilityNotSupported*'
    }

    It 'A wrong password is an AuthenticationFailed error that does not show the password' {
        $wrong = [pscredential]::new('labuser', (ConvertTo-SecureString 'not-the-password' -AsPlainText -Force))
        New-CaConnector -Name lab-bad -Type adcs-web -Credential $wrong -Setting $settings -ErrorAction Stop | Out-Null
        $result = Test-CaConnector -Name lab-bad
        $result.Success | Should -BeFalse
        $result.Message | Should -Not -Match 'not-the-password'
    }
}

Describe 'DigiCert ONE against the Lab server, and the Intune request rules' {
    BeforeAll {
        $env:PSCERTCONNECTOR_HOME = Join-Path $TestDrive 'digicert-home'
        $env:PSC_PESTER_LAB_PASSWORD = 'Pester-Lab-Pa55'
        $env:PSC_PESTER_LAB_KEY = 'Pester-Api-Key-1'
        $server = Start-LabServer -InfoPath (Join-Path $TestDrive 'lab-digicert.json') -Arguments @('--password-env', 'PSC_PESTER_LAB_PASSWORD', '--api-key-env', 'PSC_PESTER_LAB_KEY')
        $lab = $server.Process
        $info = $server.Info
        $apiKey = ConvertTo-SecureString $env:PSC_PESTER_LAB_KEY -AsPlainText -Force
        $settings = @{ url = $info.digicertOne; caBundle = $info.caBundle }
    }
    AfterAll {
        Stop-LabServer $lab
    }

    It 'New-CaConnector -Type digicert-one -ApiKey lists the profiles, the approval profile flagged' {
        New-CaConnector -Name lab-one -Type digicert-one -ApiKey $apiKey -Setting $settings -ErrorAction Stop | Out-Null
        $approval = Get-CaTemplate -Connector lab-one -Refresh | Where-Object DisplayName -Like '*approval*'
        $approval.RequiresApproval | Should -BeTrue
    }

    It 'A web server request to a profile is issued at once' {
        $profile = (Get-CaTemplate -Connector lab-one | Where-Object DisplayName -EQ 'Web Server').Name
        $order = New-RaCertificateRequest -Subject 'CN=pester-one.contoso.com' | Submit-AdcsRequest -Connector lab-one -Template $profile -ErrorAction Stop
        $order.Status | Should -Be 'Issued'
    }

    It 'The User profile refuses a request without an email as AttributeMismatch, and accepts the Intune-shaped one' {
        $profile = (Get-CaTemplate -Connector lab-one | Where-Object DisplayName -EQ 'User').Name
        New-RaCertificateRequest -Subject 'CN=Alice' | Submit-AdcsRequest -Connector lab-one -Template $profile -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AttributeMismatch*'
        $order = New-RaCertificateRequest -Subject 'CN=Alice' -IntuneSubjectFormat CommonNameAndEmail -Email 'alice@contoso.com' -Upn 'alice@contoso.com' |
            Submit-AdcsRequest -Connector lab-one -Template $profile -ErrorAction Stop
        $order.Status | Should -Be 'Issued'
    }

    It 'A missing attribute with no fallback is named' {
        { New-RaCertificateRequest -IntuneSubjectFormat CommonName -ErrorAction Stop } | Should -Throw -ErrorId 'IntuneAttributeMissing*'
    }
}

Describe 'Unattended: Invoke-CaMaintenance, Get-CaEvent and notification rules' {
    BeforeAll {
        $null = Initialize-TestHome -Name maintenance
    }

    It 'one pass imports what is due and fetches what was issued, a policy due from issue renews nothing, and a second pass does nothing' {
        $request = New-RaCertificateRequest -Subject 'CN=unattended.contoso.com,O=Contoso' -ErrorAction Stop
        $order = $request | Submit-AdcsRequest -Connector lab -Template RA -ErrorAction Stop
        $order.Status | Should -Be 'Issued'
        Set-CaConnector -Name lab -Setting @{ renewBeforeDays = '800' }

        $report = Invoke-CaMaintenance -ErrorAction Stop -WarningVariable warned 3>$null
        $report.PSTypeNames[0] | Should -Be 'PSCertConnector.MaintenanceReport'
        $report.Imports | Should -Be 1
        $report.CertificatesFetched | Should -Be 1 -Because 'the issued order was not fetched yet'
        $report.RenewalsSubmitted | Should -Be 0 -Because 'renewBeforeDays 800 exceeds the 730-day validity: every successor would be due at once'
        $report.Failures | Should -Be 0
        "$warned" | Should -Match 'due from the moment it was issued'
        ($report | Format-Table | Out-String -Width 120) | Should -Match 'Imports\s+Revoked\s+Polled'

        $again = Invoke-CaMaintenance -ErrorAction Stop 3>$null
        $again.Imports + $again.CertificatesFetched + $again.RenewalsSubmitted + $again.NotificationsSent | Should -Be 0
        Set-CaConnector -Name lab -Setting @{ renewBeforeDays = $null }

        $connector = Get-CaConnector -Name lab
        $connector.LastImportStatus | Should -Be 'Succeeded'
        $connector.NextImportAt | Should -BeGreaterThan (Get-Date)
        ($connector | Format-List | Out-String) | Should -Match 'NextImportAt'
    }

    It 'Get-CaEvent reads the events with their ids and filters' {
        $issued = @(Get-CaEvent -Id 1001)
        $issued | Should -HaveCount 1
        $issued[0].PSTypeNames[0] | Should -Be 'PSCertConnector.Event'
        $issued[0].Area | Should -Be 'Enrollment'
        $issued[0].Log | Should -Be 'Admin'
        $issued[0].Connector | Should -Be 'lab'
        @(Get-CaEvent -Id 5100).ErrorId | Should -Contain 'RenewalPolicyTooEager'
        @(Get-CaEvent -Area Maintenance).Id | Should -Contain 7002
        @(Get-CaEvent -Log Admin) | ForEach-Object { $_.Log | Should -Be 'Admin' }
        @(Get-CaEvent -Newest 3) | Should -HaveCount 3
        @(Get-CaEvent -After (Get-Date).AddMinutes(5)) | Should -HaveCount 0
        (Get-CaEvent -Newest 5 | Format-Table | Out-String -Width 120) | Should -Match 'Message'
        { Get-CaEvent -Area Weather -ErrorAction Stop } | Should -Throw
    }

    It 'a command rule receives each threshold once, and rules are listed, tested and removed without a prompt' {
        $received = Join-Path $TestDrive 'notified.jsonl'
        $rule = New-CaNotificationRule -Name expiry-script -Command "cat >> '$received'; echo >> '$received'" -ExpiringDays 800, 1 -ErrorAction Stop
        $rule.PSTypeNames[0] | Should -Be 'PSCertConnector.NotificationRule'
        $rule.Channel | Should -Be 'Command'
        $rule.Triggers.ExpiringDays | Should -Be @(800, 1)

        $report = Invoke-CaMaintenance -ErrorAction Stop
        $report.NotificationsSent | Should -Be 1 -Because 'the certificate is inside 800 days of expiry but not 1'
        (Invoke-CaMaintenance -ErrorAction Stop).NotificationsSent | Should -Be 0
        $lines = @(Get-Content -LiteralPath $received | Where-Object { $_ })
        $lines | Should -HaveCount 1
        ($lines[0] | ConvertFrom-Json).notifications[0].kind | Should -Be 'Expiring'

        (Get-CaNotificationRule).Name | Should -Be 'expiry-script'
        (Get-CaNotificationRule | Format-Table | Out-String -Width 120) | Should -Match 'expiring 800/1 d'
        Test-CaNotificationRule -Name expiry-script -ErrorAction Stop | Should -Not -BeNullOrEmpty
        @(Get-Content -LiteralPath $received | Where-Object { $_ }) | Should -HaveCount 2 -Because 'the test message went through the same command'
        { New-CaNotificationRule -Name bad -Command 'true' -ErrorAction Stop } | Should -Throw -ExpectedMessage '*Triggers*'

        Get-CaNotificationRule | Remove-CaNotificationRule -Confirm:$false
        Get-CaNotificationRule | Should -BeNullOrEmpty
    }
    It 'Register-CaMaintenanceTask writes a task that runs the pass for this home, and says where the Task Scheduler is missing' {
        $xmlPath = Join-Path $TestDrive 'task.xml'
        $file = Register-CaMaintenanceTask -XmlPath $xmlPath -IntervalMinutes 30 -ErrorAction Stop
        $file.FullName | Should -Be $xmlPath
        [xml] $task = Get-Content -LiteralPath $xmlPath -Raw
        $task.Task.Triggers.TimeTrigger.Repetition.Interval | Should -Be 'PT30M'
        $task.Task.Principals.Principal.UserId | Should -Be 'S-1-5-18'
        $task.Task.Settings.MultipleInstancesPolicy | Should -Be 'IgnoreNew'
        $exec = $task.Task.Actions.Exec
        $exec.Arguments | Should -Match 'Invoke-CaMaintenance'
        $gmsaFile = Register-CaMaintenanceTask -XmlPath (Join-Path $TestDrive 'gmsa.xml') -GroupManagedServiceAccount 'CONTOSO\gmsa-pki$'
        [xml] $gmsa = Get-Content -LiteralPath $gmsaFile.FullName -Raw
        $gmsa.Task.Principals.Principal.LogonType | Should -Be 'Password'
        { Register-CaMaintenanceTask -XmlPath (Join-Path $TestDrive 'bad.xml') -GroupManagedServiceAccount 'CONTOSO\svc-pki' -ErrorAction Stop } | Should -Throw -ExpectedMessage "*ends in '$'*"

        # What the Task Scheduler would start: the task's command and arguments, run here as a process of their own.
        $before = @(Get-CaEvent -Id 7002).Count
        $start = [System.Diagnostics.ProcessStartInfo]::new($exec.Command)
        $start.Arguments = $exec.Arguments
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $null = $process.StandardOutput.ReadToEndAsync(); $errors = $process.StandardError.ReadToEndAsync()
        $process.WaitForExit(120000) | Should -BeTrue
        $process.ExitCode | Should -Be 0 -Because $errors.Result
        @(Get-CaEvent -Id 7002).Count | Should -Be ($before + 1) -Because 'the task ran one pass on this home'

        if (-not $IsWindows) {
            { Register-CaMaintenanceTask -ErrorAction Stop } | Should -Throw -ExpectedMessage '*install-systemd*'
        }
    }
}


Describe 'Configuration as code: Export/Import-CaConnectorConfiguration and the DSC resources' {
    BeforeAll {
        $null = Initialize-TestHome -Name configuration
        Set-CaConnector -Name lab -Setting @{ renewBeforeDays = '20' } -Tag web
        # The resource classes as the LCM (and 'using module') see them: defined in the module's own scope.
        $module = Get-Module PSCertConnector
        $script:CaConnectorType = & $module { [CaConnector] }
        $script:CaCertificateType = & $module { [CaCertificate] }
    }

    It 'exports without secrets and imports again with no change' {
        $path = Join-Path $TestDrive 'pki-config.json'
        $file = Export-CaConnectorConfiguration -Path $path
        $file.FullName | Should -Be $path
        $document = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
        $document.connectors[0].settings.renewBeforeDays | Should -Be '20'
        { Export-CaConnectorConfiguration -Path $path -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-Force*'

        $changes = @(Import-CaConnectorConfiguration -Path $path)
        $changes | Should -HaveCount 1
        $changes[0].PSTypeNames[0] | Should -Be 'PSCertConnector.ConfigurationChange'
        $changes[0].Action | Should -Be 'Unchanged'
        ($changes | Format-Table | Out-String) | Should -Match 'Unchanged'
        { Import-CaConnectorConfiguration -Json '{ "version": 1, "connectors": [ { "name": "x" } ] }' -ErrorAction Stop } | Should -Throw -ExpectedMessage '*connectors`[0`].type*'
    }

    It 'CaConnector: Test is false until Set makes the connector as declared, then true; Absent removes it' {
        $resource = $CaConnectorType::new()
        $resource.Name = 'dsc-ca'
        $resource.Type = 'local'
        $resource.Tag = @('dsc')
        $resource.Setting = @{ renewBeforeDays = '25'; autoRenew = 'false' }
        $resource.Test() | Should -BeFalse
        $resource.Get().Ensure | Should -Be 'Absent'
        $resource.Set()
        $resource.Test() | Should -BeTrue
        $state = $resource.Get()
        $state.Ensure | Should -Be 'Present'
        $state.Setting.renewBeforeDays | Should -Be '25'
        $state.Tag | Should -Be @('dsc')

        $resource.Setting = @{ renewBeforeDays = '40'; autoRenew = 'false' }
        $resource.Test() | Should -BeFalse -Because 'the declared setting differs'
        (Get-CaConnector -Name dsc-ca).Settings['renewBeforeDays'] | Should -Be '25' -Because 'Test changes nothing'
        $resource.Set()
        $resource.Test() | Should -BeTrue
        (Get-CaConnector -Name dsc-ca).Settings['renewBeforeDays'] | Should -Be '40'

        $resource.Ensure = 'Absent'
        $resource.Test() | Should -BeFalse
        $resource.Set()
        $resource.Test() | Should -BeTrue
        Get-CaConnector -Name dsc-ca -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'CaCertificate: Set enrolls and exports a certificate, and Test then holds until it is due' {
        $pem = Join-Path $TestDrive 'dsc-web.pem'
        $resource = $CaCertificateType::new()
        $resource.Subject = 'CN=dsc-web.contoso.com'
        $resource.Connector = 'lab'
        $resource.Template = 'WebServer'
        $resource.DnsName = @('dsc-web.contoso.com')
        $resource.PemPath = $pem
        $resource.Test() | Should -BeFalse
        $resource.Set()
        $resource.Test() | Should -BeTrue
        Test-Path -LiteralPath $pem | Should -BeTrue
        $state = $resource.Get()
        $state.Ensure | Should -Be 'Present'
        $state.Thumbprint | Should -Not -BeNullOrEmpty
        (Get-CaCertificate -Thumbprint $state.Thumbprint).SubjectAlternativeNames | Should -Contain 'dns=dsc-web.contoso.com'

        Set-CaConnector -Name lab -Setting @{ renewBeforeDays = '730' }
        $resource.Test() | Should -BeFalse -Because 'the certificate is inside its renewal window'
        $resource.Set()
        Set-CaConnector -Name lab -Setting @{ renewBeforeDays = '20' } # or its 730-day successor would be due at once too
        $resource.Test() | Should -BeTrue
        $renewed = $resource.Get()
        $renewed.Thumbprint | Should -Not -Be $state.Thumbprint
        (Get-Content -LiteralPath $pem -Raw) | Should -Match 'BEGIN CERTIFICATE'
    }
}
