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
