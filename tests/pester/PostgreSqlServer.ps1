# A private PostgreSQL cluster for the Pester suite, as tests/PSCertConnector.Core.Tests/PostgreSqlServer.cs makes one:
# initdb in a temporary folder (as the 'postgres' account when running as root, since PostgreSQL refuses root), a free
# port on 127.0.0.1, scram-sha-256 with the password in a file; Stop-TestPostgreSql stops and deletes it.

function Start-TestPostgreSql {
    $bin = Get-ChildItem -Path /usr/lib/postgresql/*/bin/initdb -ErrorAction SilentlyContinue | Sort-Object { [int]$_.Directory.Parent.Name } | Select-Object -Last 1
    if (-not $bin) { throw 'PostgreSQL server programs are missing (apt-get install postgresql; .ci/run installs it).' }
    $bin = $bin.Directory.FullName
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('psc-pg-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $folder
    $password = [guid]::NewGuid().ToString('N')
    $passwordFile = Join-Path ([System.IO.Path]::GetTempPath()) ('psc-pg-' + [guid]::NewGuid().ToString('N') + '.pw')
    Set-Content -LiteralPath $passwordFile -Value $password
    Set-Content -LiteralPath (Join-Path $folder 'initdb.pw') -Value $password
    $asRoot = [Environment]::UserName -eq 'root'
    if ($asRoot) { & chown -R postgres $folder }
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $data = Join-Path $folder 'data'
    $serverOptions = "-p $port -k $folder -c listen_addresses=127.0.0.1 -c fsync=off"
    $steps = @(
        @("$bin/initdb", '-D', $data, '-U', 'psc', '--auth=scram-sha-256', "--pwfile=$folder/initdb.pw", '-E', 'UTF8', '--locale=C.UTF-8', '-N'),
        @("$bin/pg_ctl", '-D', $data, '-l', "$folder/server.log", '-w', '-t', '60', 'start', '-o', $serverOptions))
    foreach ($step in $steps) {
        $output = if ($asRoot) { & runuser -u postgres -- @step 2>&1 } else { & $step[0] @($step | Select-Object -Skip 1) 2>&1 }
        if ($LASTEXITCODE -ne 0) { throw "$($step[0]) failed: $output" }
    }
    [pscustomobject]@{ Bin = $bin; Folder = $folder; Port = $port; Password = $password; PasswordFile = $passwordFile; AsRoot = $asRoot; Databases = 0 }
}

# A new, empty database; returns its connection string (no password in it).
function New-TestPostgreSqlDatabase($Server) {
    $Server.Databases++
    $name = "psc_pester_$($Server.Databases)"
    $env:PGPASSWORD = $Server.Password
    try { $output = & psql -h 127.0.0.1 -p $Server.Port -U psc -d postgres -q -c "CREATE DATABASE $name" 2>&1 }
    finally { Remove-Item Env:PGPASSWORD }
    if ($LASTEXITCODE -ne 0) { throw "CREATE DATABASE failed: $output" }
    "Host=127.0.0.1;Port=$($Server.Port);Database=$name;Username=psc"
}

function Stop-TestPostgreSql($Server) {
    if (-not $Server) { return }
    $stop = @("$($Server.Bin)/pg_ctl", '-D', (Join-Path $Server.Folder 'data'), '-m', 'immediate', '-w', 'stop')
    if ($Server.AsRoot) { $null = & runuser -u postgres -- @stop 2>&1 } else { $null = & $stop[0] @($stop | Select-Object -Skip 1) 2>&1 }
    Remove-Item -Recurse -Force -LiteralPath $Server.Folder -ErrorAction SilentlyContinue
    Remove-Item -Force -LiteralPath $Server.PasswordFile -ErrorAction SilentlyContinue
}
