# Loads the cmdlets with their dependencies kept apart from every other module's.
# PowerShell 7: a small loader assembly makes the module's own AssemblyLoadContext and loads the cmdlet assembly there,
# so its BouncyCastle, SQLite and friends never meet another module's copies. Windows PowerShell 5.1 has no such
# context: the cmdlet assembly's initializer answers assembly requests from our own assemblies only.
$dependencies = Join-Path $PSScriptRoot 'dependencies'
if ($PSEdition -eq 'Core') {
    $loader = [System.Reflection.Assembly]::LoadFrom((Join-Path $PSScriptRoot 'PSCertConnector.Loader.dll'))
    $cmdlets = $loader.GetType('PSCertConnector.Loader.ModuleLoadContext', $true)::LoadCmdlets($PSScriptRoot)
} else {
    $cmdlets = [System.Reflection.Assembly]::LoadFrom((Join-Path $dependencies 'PSCertConnector.dll'))
}
$inner = Import-Module -Assembly $cmdlets -PassThru -Force -ErrorAction Stop
# Export-ModuleMember finds the inner module's cmdlets only on the first import: after 'Import-Module -Force' or a
# re-import the assembly's module is reused and its cmdlets are not in this scope again. Adding them to this module's
# exports directly works every time.
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
foreach ($cmdlet in $inner.ExportedCmdlets.Values) { $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet)) }

# ---------------------------------------------------------------------------------------------------------------------
# Class-based DSC resources. They hold no rules of their own: CaConnector applies a one-connector configuration with
# Import-CaConnectorConfiguration (-WhatIf for Test: an item that matches comes back Unchanged), and CaCertificate asks
# the inventory for a valid certificate that is not due and enrolls or renews through the cmdlets. The LCM runs as
# SYSTEM: HomePath names the PSCertConnector home it works in (PSCERTCONNECTOR_HOME otherwise).

function Use-CaDscHome([string] $HomePath) {
    if ($HomePath) { $env:PSCERTCONNECTOR_HOME = $HomePath }
}

[DscResource()]
class CaConnector {
    [DscProperty(Key)] [string] $Name
    [DscProperty()] [ValidateSet('Present', 'Absent')] [string] $Ensure = 'Present'
    [DscProperty()] [string] $Type
    [DscProperty()] [hashtable] $Setting
    [DscProperty()] [int] $Priority = 5
    [DscProperty()] [string] $Domain
    [DscProperty()] [string] $BusinessUnit
    [DscProperty()] [string[]] $Tag
    [DscProperty()] [bool] $ImportEnabled = $true
    [DscProperty()] [int] $ImportEveryMinutes = 15
    [DscProperty()] [pscredential] $Credential
    [DscProperty()] [string] $HomePath

    [string] Document() {
        $settings = @{}
        if ($this.Setting) { foreach ($key in $this.Setting.Keys) { $settings[[string]$key] = [string]$this.Setting[$key] } }
        if ($this.Credential) { $settings['user'] = $this.Credential.UserName }
        return (@{
            version = 1
            connectors = @(@{
                name = $this.Name; type = $this.Type; domain = $this.Domain; businessUnit = $this.BusinessUnit; tags = @($this.Tag | Where-Object { $_ })
                priority = $this.Priority; importEnabled = $this.ImportEnabled; importEvery = $this.ImportEveryMinutes; importEveryUnit = 'Minutes'; settings = $settings
            })
        } | ConvertTo-Json -Depth 5)
    }

    [hashtable] Secrets() {
        if ($this.Credential) { return @{ $this.Name = $this.Credential } }
        return @{}
    }

    [CaConnector] Get() {
        Use-CaDscHome $this.HomePath
        $found = Get-CaConnector -Name $this.Name -ErrorAction SilentlyContinue
        $state = [CaConnector]::new()
        $state.Name = $this.Name
        $state.HomePath = $this.HomePath
        if (-not $found) { $state.Ensure = 'Absent'; return $state }
        $state.Ensure = 'Present'
        $state.Type = $found.Type
        $state.Setting = @{}
        foreach ($key in $found.Settings.Keys) { $state.Setting[$key] = $found.Settings[$key] }
        $state.Priority = $found.Priority
        $state.Domain = $found.Domain
        $state.BusinessUnit = $found.BusinessUnit
        $state.Tag = @($found.Tags)
        $state.ImportEnabled = $found.ImportEnabled
        $state.ImportEveryMinutes = [int]$found.ImportInterval.TotalMinutes
        return $state
    }

    [bool] Test() {
        Use-CaDscHome $this.HomePath
        $found = Get-CaConnector -Name $this.Name -ErrorAction SilentlyContinue
        if ($this.Ensure -eq 'Absent') { return -not $found }
        if (-not $found) { return $false }
        $changes = @(Import-CaConnectorConfiguration -Json $this.Document() -Secret $this.Secrets() -WhatIf -ErrorAction Stop 6>$null)
        return $changes.Count -eq 1 -and $changes[0].Action -eq 'Unchanged'
    }

    [void] Set() {
        Use-CaDscHome $this.HomePath
        if ($this.Ensure -eq 'Absent') {
            Get-CaConnector -Name $this.Name -ErrorAction SilentlyContinue | Remove-CaConnector -Confirm:$false -ErrorAction Stop
            return
        }
        $null = Import-CaConnectorConfiguration -Json $this.Document() -Secret $this.Secrets() -ErrorAction Stop
    }
}

[DscResource()]
class CaCertificate {
    [DscProperty(Key)] [string] $Subject
    [DscProperty(Key)] [string] $Connector
    [DscProperty(Mandatory)] [string] $Template
    [DscProperty()] [string[]] $DnsName
    [DscProperty()] [ValidateSet('Present', 'Absent')] [string] $Ensure = 'Present'
    # A PEM file (with chain) kept with the current certificate; a renewal replaces it.
    [DscProperty()] [string] $PemPath
    [DscProperty()] [string] $HomePath
    [DscProperty(NotConfigurable)] [string] $Thumbprint
    [DscProperty(NotConfigurable)] [datetime] $NotAfter
    [DscProperty(NotConfigurable)] [string] $PendingOrder

    [object] Current() {
        return Get-CaCertificate -Connector $this.Connector -Status Valid -ErrorAction Stop |
            Where-Object { $_.Subject -eq $this.Subject -and -not $_.RenewedBy } |
            Sort-Object NotAfter -Descending | Select-Object -First 1
    }

    [object] Pending() {
        return Get-AdcsOrder -Connector $this.Connector -Status Pending -ErrorAction Stop |
            Where-Object { "CN=$($_.CommonName)" -eq $this.Subject -or $_.CommonName -eq $this.Subject } | Select-Object -First 1
    }

    [CaCertificate] Get() {
        Use-CaDscHome $this.HomePath
        $state = [CaCertificate]::new()
        $state.Subject = $this.Subject; $state.Connector = $this.Connector; $state.Template = $this.Template; $state.DnsName = $this.DnsName
        $state.PemPath = $this.PemPath; $state.HomePath = $this.HomePath
        $certificate = $this.Current()
        $state.Ensure = if ($certificate) { 'Present' } else { 'Absent' }
        if ($certificate) { $state.Thumbprint = $certificate.Thumbprint; $state.NotAfter = $certificate.NotAfter.UtcDateTime }
        $pending = $this.Pending()
        if ($pending) { $state.PendingOrder = [string]$pending.Id }
        return $state
    }

    [bool] Test() {
        Use-CaDscHome $this.HomePath
        $certificate = $this.Current()
        if ($this.Ensure -eq 'Absent') { return -not $certificate }
        if (-not $certificate) { return $false }
        $due = Get-CaCertificate -Thumbprint $certificate.Thumbprint -NeedsRenewal -ErrorAction Stop
        if ($due) { return $false }
        if ($this.PemPath -and -not (Test-Path -LiteralPath $this.PemPath)) { return $false }
        return $true
    }

    [void] Set() {
        Use-CaDscHome $this.HomePath
        $certificate = $this.Current()
        if ($this.Ensure -eq 'Absent') {
            if ($certificate) { $certificate | Revoke-Certificate -Reason CessationOfOperation -Confirm:$false -ErrorAction Stop }
            return
        }
        if ($this.Pending()) { Write-Verbose "A request for '$($this.Subject)' waits for approval; the maintenance pass fetches it once issued."; return }
        if (-not $certificate) {
            $request = @{ Subject = $this.Subject }
            if ($this.DnsName) { $request.SubjectAlternativeName = @($this.DnsName | ForEach-Object { "dns=$_" }) }
            $order = New-RaCertificateRequest @request -ErrorAction Stop | Submit-AdcsRequest -Connector $this.Connector -Template $this.Template -ErrorAction Stop
            if ($order.Status -ne 'Issued') { Write-Verbose "Order $($order.Id) is $($order.Status)."; return }
            $certificate = $order | Receive-AdcsCertificate -ErrorAction Stop
        } elseif (Get-CaCertificate -Thumbprint $certificate.Thumbprint -NeedsRenewal) {
            $renewal = $certificate | Submit-CaRenewal -Confirm:$false -ErrorAction Stop
            if (-not $renewal.Thumbprint) { Write-Verbose "The renewal of $($certificate.SerialNumber) is order $($renewal.OrderId), $($renewal.Status)."; return }
            if ($this.PemPath -and (Test-Path -LiteralPath $this.PemPath)) { return } # the renewal replaced the file it was exported to
            $certificate = Get-CaCertificate -Thumbprint $renewal.Thumbprint
        }
        if ($this.PemPath) { $null = $certificate | Export-CaCertificate -FilePath $this.PemPath -Format Pem -IncludeChain -Force -ErrorAction Stop }
    }
}
