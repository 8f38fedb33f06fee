@{
    RootModule           = 'PSCertConnector.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f4a3e-8d2c-4c47-9a51-2f6e7c1d9b84'
    Author               = 'PSCertConnector contributors'
    CompanyName          = 'PSCertConnector'
    Copyright            = '(c) PSCertConnector contributors'
    Description          = 'The whole certificate lifecycle against enterprise CAs (Microsoft AD CS, DigiCert) and an embedded CA: connectors, templates, certreq-style requests, orders, approval, inventory import, expiry and revocation.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('PSCertConnector.Format.ps1xml')
    CmdletsToExport      = @(
        'New-CaConnector'
        'Get-CaConnector'
        'Set-CaConnector'
        'Remove-CaConnector'
        'Test-CaConnector'
        'Invoke-CaMaintenance'
        'Register-CaMaintenanceTask'
        'Get-CaEvent'
        'New-CaNotificationRule'
        'Get-CaNotificationRule'
        'Test-CaNotificationRule'
        'Remove-CaNotificationRule'
        'Export-CaConnectorConfiguration'
        'Import-CaConnectorConfiguration'
        'New-CaHome'
        'Get-CaStore'
        'Set-CaStore'
        'Update-CaStoreSchema'
        'New-CaStoreKey'
        'Update-CaStoreKey'
        'Get-CaTemplate'
        'Get-CaEnrollmentService'
        'Find-AdcsEnrollmentService'
        'New-RaCertificateRequest'
        'Submit-AdcsRequest'
        'Get-AdcsOrder'
        'Receive-AdcsCertificate'
        'Remove-AdcsOrder'
        'Approve-AdcsRequest'
        'Deny-AdcsRequest'
        'Import-CaCertificate'
        'Get-CaCertificate'
        'Submit-CaRenewal'
        'Revoke-Certificate'
        'Install-RaCertificate'
        'Export-CaCertificate'
        'New-CaPfxCertificate'
        'Protect-CaPfxCertificate'
        'Get-CaRevocationRequest'
    )
    FunctionsToExport    = @()
    DscResourcesToExport = @('CaConnector', 'CaCertificate')
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('PKI', 'Certificate', 'ADCS', 'CertificateAuthority', 'DigiCert', 'certreq', 'CRL', 'Intune', 'Windows', 'Linux', 'PSEdition_Desktop', 'PSEdition_Core')
            LicenseUri   = 'https://github.com/pscertconnector/PSCertConnector/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/pscertconnector/PSCertConnector'
            ReleaseNotes = 'First release: embedded CA, SQLite inventory, the lifecycle cmdlets.'
        }
    }
}
