<#
.SYNOPSIS
    Regenerates the cmdlet help's syntax blocks and parameter metadata (docs/en-US/*.md) from the cmdlets themselves.
.DESCRIPTION
    The help is written as markdown in docs/en-US (platyPS schema; the build compiles it to MAML with
    tools/PSCertConnector.HelpCompiler). This script imports the built module and, for every cmdlet documented there,
    rewrites the SYNTAX section with one block per parameter set (as Get-Command -Syntax shows them, WhatIf/Confirm
    included, the common parameters left to Get-Help's [<CommonParameters>]) and each parameter's yaml block(s)
    (type, sets, required, position, pipeline input, wildcards, aliases) from the cmdlet's metadata. Descriptions,
    examples and default values stay hand-written: a parameter without a description stops the script with its name.
    Parameters are listed in Get-Command's order: positional ones by position, then the mandatory named ones, then the
    others, each group in declaration order (the sorts are -Stable, so reruns give the same files).
    Run after changing a cmdlet's parameters (build first): pwsh -File tools/Update-HelpSyntax.ps1
    With -Check it writes nothing and fails if the markdown is not what it would generate.
#>
[CmdletBinding()]
param(
    [string] $Manifest = (Join-Path $PSScriptRoot '../output/PSCertConnector/0.1.0/PSCertConnector.psd1'),
    [string] $Docs = (Join-Path $PSScriptRoot '../docs/en-US'),
    # Start from this MAML file instead of the compiled markdown (how the markdown was first made from hand-written MAML).
    [string] $FromMaml,
    [switch] $Check
)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest -Force
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$ns = @{ command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; maml = 'http://schemas.microsoft.com/maml/2004/10'; dev = 'http://schemas.microsoft.com/maml/dev/2004/10' }
$cmdNs = $ns.command; $mamlNs = $ns.maml; $devNs = $ns.dev

$compiler = Get-ChildItem -Path (Join-Path $PSScriptRoot 'PSCertConnector.HelpCompiler/bin') -Recurse -Filter PSCertConnector.HelpCompiler.dll -ErrorAction SilentlyContinue |
    Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
if (-not $compiler) { throw 'The help compiler is not built: run "dotnet build" first.' }
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("psc-help-" + [guid]::NewGuid().ToString('n'))
$null = New-Item -ItemType Directory -Path $work
try {
$HelpFile = $FromMaml
if (-not $HelpFile) {
    & dotnet $compiler.FullName compile $Docs $work --with-set-names
    if ($LASTEXITCODE -ne 0) { throw "The help in $Docs does not compile (see above)." }
    $HelpFile = Join-Path $work 'PSCertConnector.dll-Help.xml'
}
[xml] $doc = Get-Content -Raw -LiteralPath $HelpFile
$doc.PreserveWhitespace = $false

function TypeNames([type] $type) {
    if ($type -eq [System.Management.Automation.SwitchParameter]) { return @('SwitchParameter', 'System.Management.Automation.SwitchParameter') }
    $underlying = [Nullable]::GetUnderlyingType($type)
    if ($underlying) { $type = $underlying }
    $short = if ($type.IsArray) { $type.GetElementType().Name + '[]' } else { $type.Name }
    @($short, $type.FullName)
}

function New-Element([string] $prefix, [string] $name, [string] $text) {
    $element = $doc.CreateElement($prefix, $name, $ns[$prefix])
    if ($text) { $element.InnerText = $text }
    $element
}

function Set-ParameterElement($element, $parameter, $setInfo, [bool] $inSyntax) {
    $mandatory = if ($setInfo) { $setInfo.IsMandatory } else { @($parameter.ParameterSets.Values | Where-Object IsMandatory).Count -gt 0 }
    $positions = if ($setInfo) { @($setInfo.Position) } else { @($parameter.ParameterSets.Values.Position | Where-Object { $_ -ge 0 } | Select-Object -Unique) }
    $position = if ($positions.Count -eq 1 -and $positions[0] -ge 0) { [string]$positions[0] } else { 'named' }
    $byValue = if ($setInfo) { $setInfo.ValueFromPipeline } else { @($parameter.ParameterSets.Values | Where-Object ValueFromPipeline).Count -gt 0 }
    $byName = if ($setInfo) { $setInfo.ValueFromPipelineByPropertyName } else { @($parameter.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName).Count -gt 0 }
    $pipeline = if ($byValue -and $byName) { 'True (ByPropertyName, ByValue)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
    $wildcards = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
    $aliases = if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }
    $isSwitch = $parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]
    $element.SetAttribute('required', ([string]$mandatory).ToLowerInvariant())
    $element.SetAttribute('variableLength', ([string]$parameter.ParameterType.IsArray).ToLowerInvariant())
    $element.SetAttribute('globbing', ([string]$wildcards).ToLowerInvariant())
    $element.SetAttribute('pipelineInput', $pipeline)
    $element.SetAttribute('position', $position)
    $element.SetAttribute('aliases', $aliases)
    $names = TypeNames $parameter.ParameterType
    foreach ($old in @($element.SelectNodes('command:parameterValue', $manager)) + @($element.SelectNodes('dev:type', $manager))) { $null = $element.RemoveChild($old) }
    $description = $element.SelectSingleNode('maml:description', $manager)
    $anchor = $description
    if (-not $isSwitch) {
        $value = New-Element 'command' 'parameterValue' $names[0]
        $value.SetAttribute('required', 'true')
        $value.SetAttribute('variableLength', ([string]$parameter.ParameterType.IsArray).ToLowerInvariant())
        $null = $element.InsertAfter($value, $anchor); $anchor = $value
    }
    if (-not $inSyntax) {
        $type = New-Element 'dev' 'type'
        $null = $type.AppendChild((New-Element 'maml' 'name' $names[1]))
        $null = $type.AppendChild((New-Element 'maml' 'uri'))
        $null = $element.InsertAfter($type, $anchor)
        if (-not $element.SelectSingleNode('dev:defaultValue', $manager)) { $null = $element.AppendChild((New-Element 'dev' 'defaultValue' ($isSwitch ? 'False' : 'None'))) }
    }
}

$manager = [System.Xml.XmlNamespaceManager]::new($doc.NameTable)
foreach ($key in $ns.Keys) { $manager.AddNamespace($key, $ns[$key]) }
$missing = @()
# The two risk-mitigation parameters read the same for every cmdlet that changes something.
$standard = @{
    WhatIf  = 'Shows what the cmdlet would do, without doing it. Nothing is created, changed or sent to a CA.'
    Confirm = 'Asks for confirmation before each change. Cmdlets with a high impact (revoking, removing, denying) ask without it too, unless -Confirm:$false is given; in a non-interactive session they fail instead of asking.'
}
function New-ParameterEntry([string] $parameterName, [string] $text) {
    $entry = New-Element 'command' 'parameter'
    $null = $entry.AppendChild((New-Element 'maml' 'name' $parameterName))
    $description = New-Element 'maml' 'description'
    $null = $description.AppendChild((New-Element 'maml' 'para' $text))
    $null = $entry.AppendChild($description)
    $entry
}
foreach ($commandNode in $doc.SelectNodes('//command:command', $manager)) {
    $name = $commandNode.SelectSingleNode('command:details/command:name', $manager).InnerText
    $command = Get-Command $name -Module PSCertConnector
    $parametersNode = $commandNode.SelectSingleNode('command:parameters', $manager)
    $documented = @{}
    foreach ($p in @($parametersNode.SelectNodes('command:parameter', $manager))) { $documented[$p.SelectSingleNode('maml:name', $manager).InnerText] = $p }
    $own = $command.Parameters.Values | Where-Object { $_.Name -notin $common }
    # The parameters section: one entry per parameter, in the cmdlet's order, descriptions kept.
    foreach ($stale in @($documented.Keys | Where-Object { $_ -notin $own.Name })) { $null = $parametersNode.RemoveChild($documented[$stale]); $documented.Remove($stale) }
    foreach ($parameter in $own) {
        $entry = $documented[$parameter.Name]
        if (-not $entry -and $standard.ContainsKey($parameter.Name)) {
            $entry = New-ParameterEntry $parameter.Name $standard[$parameter.Name]
            $documented[$parameter.Name] = $entry
        }
        if (-not $entry -or -not $entry.SelectSingleNode('maml:description', $manager).InnerText.Trim()) { $missing += "$name -$($parameter.Name)"; continue }
        Set-ParameterElement $entry $parameter $null $false
        $null = $parametersNode.AppendChild($entry)  # moves it into the cmdlet's order
    }
    # The syntax: one item per parameter set, default set first, as Get-Command shows them.
    $syntax = $commandNode.SelectSingleNode('command:syntax', $manager)
    $syntax.RemoveAll()
    $sets = @($command.ParameterSets | Sort-Object -Stable { -not $_.IsDefault })
    foreach ($set in $sets) {
        $item = New-Element 'command' 'syntaxItem'
        $item.SetAttribute('parameterSetName', $set.Name)  # kept in the markdown's SYNTAX headings
        $null = $item.AppendChild((New-Element 'maml' 'name' $name))
        $ordered = $set.Parameters | Where-Object { $_.Name -notin $common } |
            Sort-Object -Stable @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } } }, @{ Expression = { -not $_.IsMandatory } }
        foreach ($setParameter in $ordered) {
            $entry = $documented[$setParameter.Name]
            if (-not $entry) { continue }
            $copy = $entry.CloneNode($true)
            foreach ($drop in @($copy.SelectNodes('dev:type', $manager)) + @($copy.SelectNodes('dev:defaultValue', $manager))) { $null = $copy.RemoveChild($drop) }
            Set-ParameterElement $copy $command.Parameters[$setParameter.Name] $setParameter $true
            $null = $item.AppendChild($copy)
        }
        $null = $syntax.AppendChild($item)
    }
}
if ($missing) { throw "Write a description in the help for: $($missing -join '; ')" }
$generated = Join-Path $work 'generated.xml'
$doc.Save($generated)
$count = @($doc.SelectNodes('//command:command', $manager)).Count
if ($Check) {
    & dotnet $compiler.FullName markdown $generated $Docs --check
    if ($LASTEXITCODE -ne 0) { throw 'The help is out of date (see above).' }
    Write-Host "Help syntax is up to date for $count cmdlets."
} else {
    $null = New-Item -ItemType Directory -Path $Docs -Force
    & dotnet $compiler.FullName markdown $generated $Docs
    if ($LASTEXITCODE -ne 0) { throw 'Writing the markdown failed (see above).' }
    Write-Host "Help syntax regenerated for $count cmdlets in $Docs."
}
} finally { Remove-Item -Recurse -Force -LiteralPath $work -ErrorAction SilentlyContinue }
