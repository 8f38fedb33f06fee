# Starts and stops the Lab server for the Pester suite. It runs the built certconnector-lab (what 'certconnector lab
# serve' starts) with 'dotnet exec', so the process Pester holds is the server itself: stopping it leaves nothing
# listening (a 'dotnet run', or certconnector in between, would leave its child server running when killed).

function Find-CertConnectorLab {
    $candidates = Get-ChildItem -Path ([System.IO.Path]::GetFullPath("$PSScriptRoot/../../src/PSCertConnector.Lab.Host/bin")) -Recurse -Filter certconnector-lab.dll -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTimeUtc -Descending
    if (-not $candidates) { throw 'The Lab server (certconnector-lab) is not built: run "dotnet build" first.' }
    $candidates[0].FullName
}

function Start-LabServer {
    param([Parameter(Mandatory = $true)] [string] $InfoPath, [string[]] $Arguments = @())
    $lab = Find-CertConnectorLab
    $process = Start-Process -FilePath dotnet -PassThru -NoNewWindow -RedirectStandardOutput $InfoPath `
        -ArgumentList (@('exec', $lab, 'lab', 'serve', '--port', '0', '--json') + $Arguments)
    $deadline = (Get-Date).AddMinutes(2)
    while ((Get-Date) -lt $deadline -and -not $process.HasExited -and -not ((Test-Path $InfoPath) -and (Get-Content $InfoPath -Raw) -match '\}\s*$')) {
        Start-Sleep -Milliseconds 200
    }
    if ($process.HasExited) { throw "The Lab server exited with code $($process.ExitCode) before it was ready." }
    if (-not ((Test-Path $InfoPath) -and (Get-Content $InfoPath -Raw) -match '\}\s*$')) {
        Stop-LabServer $process
        throw 'The Lab server did not report its addresses within two minutes.'
    }
    [pscustomobject]@{ Process = $process; Info = (Get-Content $InfoPath -Raw | ConvertFrom-Json) }
}

function Stop-LabServer {
    param($Process)
    if ($Process -and -not $Process.HasExited) {
        Stop-Process -Id $Process.Id -Force -ErrorAction SilentlyContinue
        if (-not $Process.WaitForExit(10000)) { throw "The Lab server (process $($Process.Id)) did not stop within ten seconds." }
    }
}
