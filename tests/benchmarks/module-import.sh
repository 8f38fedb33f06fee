#!/usr/bin/env bash
# What importing the module costs a PowerShell session: 'Import-Module PSCertConnector; Get-CaConnector' in a new
# pwsh -NonInteractive, next to a bare 'pwsh -NonInteractive -c exit' started the same way, alternating, N runs each.
# Prints the median wall time of both and their ratio. Needs the built module (dotnet build -c Release) and the pwsh
# that test.sh installs as .tools/pwsh.
#   tests/benchmarks/module-import.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-9}
pwsh=$PWD/.tools/pwsh
manifest=$PWD/output/PSCertConnector/0.1.0/PSCertConnector.psd1
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export PSCERTCONNECTOR_HOME=$home
seconds() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
module=(); bare=()
"$pwsh" -NoProfile -NonInteractive -c "Import-Module '$manifest'" >/dev/null 2>&1  # warm the file cache
for _ in $(seq 1 "$runs"); do
  module+=("$(seconds "$pwsh" -NoProfile -NonInteractive -c "Import-Module '$manifest'; Get-CaConnector | Out-Null")")
  bare+=("$(seconds "$pwsh" -NoProfile -NonInteractive -c exit)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m=$(median "${module[@]}"); b=$(median "${bare[@]}")
echo "import + Get-CaConnector: ${m} ms median; bare pwsh: ${b} ms median; ratio $(awk -v m="$m" -v b="$b" 'BEGIN {printf "%.2f", m / b}') ($runs runs each)"
